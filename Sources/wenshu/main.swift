print("wenshu")
