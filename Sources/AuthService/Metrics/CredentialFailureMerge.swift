/// Rewrites Prometheus text so that the failure reasons which tell usernames apart become
/// one: `reason="unknown_user"`, `"bad_password"` and `"disabled"` samples of a series are
/// summed into `reason="invalid_credentials"`, at the place of the first of them.
///
/// Done on the text rather than by counting twice, so the counters themselves (and the
/// `--metrics-port` listener, which shows them as they are) stay one set.
enum CredentialFailureMerge {
    static let merged = "invalid_credentials"

    static func apply(_ text: String) -> String {
        var lines: [String] = []
        var sums: [String: (line: Int, value: Double)] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard !line.hasPrefix("#"),
                let match = line.wholeMatch(of: #/(.*)reason="(?:unknown_user|bad_password|disabled)"(.*) (\S+)/#),
                let value = Double(match.3)
            else {
                lines.append(String(line))
                continue
            }
            let series = "\(match.1)reason=\"\(merged)\"\(match.2)"
            if let sum = sums[series] {
                sums[series] = (sum.line, sum.value + value)
            } else {
                sums[series] = (lines.count, value)
                lines.append(series)
            }
        }
        for sum in sums.values { lines[sum.line] += " " + format(sum.value) }
        return lines.joined(separator: "\n")
    }

    /// Counters as Prometheus prints them: whole numbers without a fraction.
    private static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992 { return String(Int64(value)) }
        return String(value)
    }
}
