// CPostgres: libpq (Debian's libpq-dev) for Sources/PostgresIO, the only module that uses it.
#include <libpq-fe.h>
