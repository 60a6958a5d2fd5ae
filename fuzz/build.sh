#!/usr/bin/env bash
# Builds one libFuzzer binary per target into fuzz/.build/ (or $FUZZ_OUT):
#   fuzz-credentials  Credentials.parse  (Sources/AuthService/Wire/Credentials.swift)
#   fuzz-gotime       GoTime.format      (Sources/AuthService/Wire/GoTime.swift)
#   fuzz-import       ImportFile         (Sources/AuthStore/Import/, Sources/AuthStore/Passwords/)
#
# The sources under test are copied into a temp dir and compiled with the harness as ONE
# module by swiftc directly, so the fuzzer needs no SwiftPM build (and no -sanitize=fuzzer
# flags leaking into the package). Credentials.swift's `import AuthStore` line is stripped
# for that reason: Base64, User and Timestamp (which User needs) are copied alongside it,
# so the names it uses resolve inside the same module. Nothing here runs from `swift test`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="${FUZZ_OUT:-$here/.build}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# FUZZ_OPT=-Onone keeps precondition messages (-O traps without printing them).
# -package-name: the copied model files declare `package` initialisers.
flags=(-sanitize=fuzzer,address -parse-as-library "${FUZZ_OPT:--O}" -g -package-name authd)

# Credentials: parser + its AuthStore dependencies, `import AuthStore` removed.
mkdir -p "$tmp/credentials"
sed '/^import AuthStore$/d' "$root/Sources/AuthService/Wire/Credentials.swift" > "$tmp/credentials/Credentials.swift"
cp "$root/Sources/AuthStore/Crypto/Base64.swift" \
   "$root/Sources/AuthStore/Model/User.swift" \
   "$root/Sources/AuthStore/Model/ControlCharacters.swift" \
   "$root/Sources/AuthStore/Model/Timestamp.swift" \
   "$here/FuzzCredentials.swift" "$tmp/credentials/"
if grep -q '^import AuthStore' "$tmp/credentials/"*.swift; then
    echo "build.sh: failed to strip 'import AuthStore'" >&2; exit 1
fi
swiftc "${flags[@]}" -module-name FuzzCredentials "$tmp/credentials/"*.swift -o "$out/fuzz-credentials" 2> >(grep -v "Cannot export local symbol" >&2)

# GoTime: self-contained (Foundation only).
mkdir -p "$tmp/gotime"
cp "$root/Sources/AuthService/Wire/GoTime.swift" "$here/FuzzGoTime.swift" "$tmp/gotime/"
swiftc "${flags[@]}" -module-name FuzzGoTime "$tmp/gotime/"*.swift -o "$out/fuzz-gotime" 2> >(grep -v "Cannot export local symbol" >&2)

# Import: the import file parser and the hash schemes it reads, with the AuthStore files
# they use; the C modules (OpenSSL, libxcrypt, libargon2) through their module maps.
mkdir -p "$tmp/import"
cp "$root/Sources/AuthStore/Import/"*.swift \
   "$root/Sources/AuthStore/Passwords/HashScheme.swift" \
   "$root/Sources/AuthStore/Passwords/HashProblem.swift" \
   "$root/Sources/AuthStore/Passwords/PasswordHash.swift" \
   "$root/Sources/AuthStore/Passwords/PBKDF2Hash.swift" \
   "$root/Sources/AuthStore/Passwords/CryptHash.swift" \
   "$root/Sources/AuthStore/Passwords/YescryptParameters.swift" \
   "$root/Sources/AuthStore/Passwords/Argon2Hash.swift" \
   "$root/Sources/AuthStore/Passwords/WeakHash.swift" \
   "$root/Sources/AuthStore/Crypto/Base64.swift" \
   "$root/Sources/AuthStore/Crypto/PBKDF2.swift" \
   "$root/Sources/AuthStore/Crypto/Crypt.swift" \
   "$root/Sources/AuthStore/Crypto/Argon2.swift" \
   "$root/Sources/AuthStore/Crypto/ConstantTime.swift" \
   "$root/Sources/AuthStore/Model/User.swift" \
   "$root/Sources/AuthStore/Model/ControlCharacters.swift" \
   "$root/Sources/AuthStore/Model/Timestamp.swift" \
   "$here/FuzzImport.swift" "$tmp/import/"
swiftc "${flags[@]}" -module-name FuzzImport \
    -I "$root/Sources/CLibCrypto" -I "$root/Sources/CXCrypt" -I "$root/Sources/CArgon2" \
    "$tmp/import/"*.swift -o "$out/fuzz-import" 2> >(grep -v "Cannot export local symbol" >&2)

echo "built $out/fuzz-credentials $out/fuzz-gotime $out/fuzz-import"
