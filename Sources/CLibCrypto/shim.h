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

/// A SHA-256 context kept for many digests (`audit verify` hashes millions of short rows):
/// the digest is fetched from the provider once here, where `EVP_Digest` with `EVP_sha256()`
/// would look it up and allocate a fresh context for every row. NULL when OpenSSL cannot
/// allocate.
static inline EVP_MD_CTX *clibcrypto_sha256_context_new(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context == NULL) return NULL;
    if (EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(context);
        return NULL;
    }
    return context;
}

/// SHA-256 of `data` on a context from clibcrypto_sha256_context_new, reset for the next
/// digest on return. Returns 1 on success, as OpenSSL does.
static inline int clibcrypto_sha256_reusing(EVP_MD_CTX *context, const void *data, size_t length,
                                            unsigned char out[32]) {
    return EVP_DigestInit_ex(context, NULL, NULL) == 1 && EVP_DigestUpdate(context, data, length) == 1
        && EVP_DigestFinal_ex(context, out, NULL) == 1;
}

/// PBKDF2-HMAC with SHA-1 (digest 1), SHA-256 (256) or SHA-512 (512), for imported hashes
/// (passlib, Django, Kratos, Keycloak). Swift cannot see EVP_sha256() and friends as
/// constants, so they are chosen here. Returns 0 for another digest.
static inline int clibcrypto_pbkdf2(int digest, const char *password, int passwordLength,
                                    const unsigned char *salt, int saltLength,
                                    int iterations, unsigned char *out, int outLength) {
    const EVP_MD *md = digest == 1 ? EVP_sha1() : digest == 256 ? EVP_sha256() : digest == 512 ? EVP_sha512() : NULL;
    if (md == NULL) return 0;
    return PKCS5_PBKDF2_HMAC(password, passwordLength, salt, saltLength, iterations, md, outLength, out);
}

#endif
