#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

/// One-shot SHA-256 through the EVP interface (the low-level SHA256() is deprecated in
/// OpenSSL 3). Returns 1 on success, as OpenSSL does.
static inline int clibcrypto_sha256(const void *data, size_t length, unsigned char out[32]) {
    unsigned int outLength = 0;
    return EVP_Digest(data, length, out, &outLength, EVP_sha256(), NULL);
}

/// PBKDF2-HMAC-SHA256; Swift cannot see EVP_sha256() as a constant, so bind it here.
static inline int clibcrypto_pbkdf2_sha256(const char *password, int passwordLength,
                                           const unsigned char *salt, int saltLength,
                                           int iterations, unsigned char *out, int outLength) {
    return PKCS5_PBKDF2_HMAC(password, passwordLength, salt, saltLength, iterations,
                             EVP_sha256(), outLength, out);
}

#endif
