#ifndef CARGON2_SHIM_H
#define CARGON2_SHIM_H

// libargon2 (Debian: libargon2-dev): verifies imported argon2i/argon2id PHC strings.
#include <argon2.h>

#endif
