import AuthStore

/// What every password check spends: PBKDF2-SHA256 iterations, plus one check of each
/// other scheme present among the stored hashes, at that scheme's costliest stored hash.
///
/// Equal work, not an estimate: the same set of operations whoever asks. A user of scheme S
/// gets the real check of their own hash (padded within S up to the costliest S hash) and a
/// dummy check for each other scheme; an unknown or disabled user gets a dummy check for
/// every scheme. PBKDF2-SHA256 padding is as before: the iterations the user's own check
/// did not spend. Schemes cannot be converted into one another's cost (bcrypt and argon2
/// scale differently from PBKDF2 on each machine), so each keeps its own place in the set.
struct CheckCost: Sendable, Equatable {
    /// PBKDF2-SHA256 iterations every check spends.
    var iterations: Int
    /// The costliest stored hash of each imported scheme.
    var imported = CostliestHashes()

    /// After the real check of `own` (an imported hash, or `nil` for authd's own or no
    /// user): for the user's own scheme, padding up to its costliest hash; for every other
    /// scheme, one check against its costliest hash, thrown away. Blocking.
    func spendImported(_ password: String, checked own: PasswordHash?) {
        for (scheme, dearest) in imported.sorted {
            if let own, own.scheme == scheme {
                own.pad(password, upTo: dearest)
            } else {
                _ = dearest.matches(password)
            }
        }
    }
}
