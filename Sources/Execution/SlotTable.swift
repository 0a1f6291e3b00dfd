// An open-addressing hash table from non-negative Int64 keys to dense ids (0, 1, 2 … in
// insertion order): the group and (group, customer) tables of the scans. Values live in
// the caller's arrays indexed by id, so growing the table never moves them.
//
// - Complexity: O(1) expected per lookup; linear probing, load factor ≤ 1/2.

struct SlotTable {
  private(set) var keys: ContiguousArray<Int64>
  private var ids: ContiguousArray<Int32>
  private var slots: ContiguousArray<Int64>
  private var mask: Int

  init(capacity: Int = 16) {
    var n = 16
    while n < capacity * 2 { n <<= 1 }
    slots = ContiguousArray(repeating: -1, count: n)
    ids = ContiguousArray(repeating: -1, count: n)
    mask = n - 1
    keys = []
    keys.reserveCapacity(capacity)
  }

  var count: Int { keys.count }

  @inline(__always) static func hash(_ k: Int64) -> Int {
    var x = UInt64(bitPattern: k) &* 0x9E37_79B9_7F4A_7C15
    x ^= x >> 29
    return Int(truncatingIfNeeded: x)
  }

  /// The id of `k`, inserting it when new; `isNew` tells the caller to append its values.
  @inline(__always)
  mutating func id(_ k: Int64, isNew: inout Bool) -> Int {
    var s = SlotTable.hash(k) & mask
    while true {
      let cur = slots[s]
      if cur == k { isNew = false; return Int(ids[s]) }
      if cur < 0 {
        let id = keys.count
        slots[s] = k
        ids[s] = Int32(id)
        keys.append(k)
        isNew = true
        if keys.count * 2 > slots.count { grow() }
        return id
      }
      s = (s + 1) & mask
    }
  }

  /// The id of `k` if present.
  func find(_ k: Int64) -> Int? {
    var s = SlotTable.hash(k) & mask
    while true {
      let cur = slots[s]
      if cur == k { return Int(ids[s]) }
      if cur < 0 { return nil }
      s = (s + 1) & mask
    }
  }

  private mutating func grow() {
    let n = slots.count * 2
    var newSlots = ContiguousArray<Int64>(repeating: -1, count: n)
    var newIds = ContiguousArray<Int32>(repeating: -1, count: n)
    let m = n - 1
    for (id, k) in keys.enumerated() {
      var s = SlotTable.hash(k) & m
      while newSlots[s] >= 0 { s = (s + 1) & m }
      newSlots[s] = k
      newIds[s] = Int32(id)
    }
    slots = newSlots
    ids = newIds
    mask = m
  }
}
