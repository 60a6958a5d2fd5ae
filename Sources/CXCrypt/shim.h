#ifndef CXCRYPT_SHIM_H
#define CXCRYPT_SHIM_H

// libxcrypt (Debian: libcrypt-dev): verifies imported bcrypt, sha-crypt and yescrypt hashes.
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/// crypt_rn with its scratch area on the heap: struct crypt_data is about 32 KiB, too
/// large to leave to Swift's stack, and zeroed before it is freed because it held the
/// password. Writes the result (NUL-terminated) into `out`; returns 1 on success, 0 when
/// the setting is not one libxcrypt understands or `out` is too small.
static inline int cxcrypt_hash(const char *phrase, const char *setting, char *out, size_t outSize) {
    struct crypt_data *data = calloc(1, sizeof(struct crypt_data));
    if (data == NULL) return 0;
    int ok = 0;
    const char *result = crypt_rn(phrase, setting, data, (int)sizeof(struct crypt_data));
    if (result != NULL && result[0] != '*') {
        size_t length = strlen(result);
        if (length < outSize) {
            memcpy(out, result, length + 1);
            ok = 1;
        }
    }
    explicit_bzero(data, sizeof(struct crypt_data));
    free(data);
    return ok;
}

#endif
