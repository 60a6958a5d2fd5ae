/// Tells an honest prune from rows removed by hand, from what the chain itself records.
///
/// Whoever can write the file can delete rows 1…N and store row N's hash as the anchor: the
/// rest of the chain still hashes correctly and the head does not change. But every prune
/// appends its `audit_prune` row, with the range it removes, before it deletes anything
/// (`pruneAudit`), and that row is inside the chain: editing it breaks the chain, and
/// deleting it means deleting every row up to it. So the anchor must lie within the range of
/// the newest `audit_prune` row in the chain; an anchor past it, or an anchor with no prune
/// row at all, is a truncation. Plain code over values, so every engine shares it.
package enum AuditAnchorCheck {
    /// What explains an anchor at `anchorID` (0: none), given the newest `audit_prune` row in
    /// the chain.
    package static func record(anchorID: Int64, newestPrune: (id: Int64, detail: String)?) -> AuditVerification.AnchorRecord {
        guard let newestPrune else { return anchorID == 0 ? .neverPruned : .unrecorded }
        guard let range = AuditPruneRange(detail: newestPrune.detail) else {
            return anchorID == 0 ? .neverPruned : .unprovable(pruneRow: newestPrune.id)
        }
        return anchorID <= range.last ? .recorded(pruneRow: newestPrune.id, range: range) : .unrecorded
    }

    /// Whether the row an operator recorded as `expected` is still provable.
    ///
    /// - Parameters:
    ///   - anchor: the anchor, `nil` when never pruned.
    ///   - found: the stored hash of `expected.id` when that row is in the chain.
    ///   - record: what explains the anchor (``record(anchorID:newestPrune:)``).
    ///   - prunes: the ranged `audit_prune` rows in the chain, oldest first.
    package static func outcome(
        of expected: AuditChainPoint, anchor: AuditChainPoint?, found: [UInt8]?,
        record: AuditVerification.AnchorRecord, prunes: [(id: Int64, range: AuditPruneRange)]
    ) -> AuditExpectationOutcome {
        if let found {
            let hex = Hex.encode(found)
            return hex == expected.hash ? .present : .hashDiffers(found: hex)
        }
        guard let anchor, expected.id <= anchor.id else { return .missing }
        if expected.id == anchor.id, anchor.hash != expected.hash { return .hashDiffers(found: anchor.hash) }
        // Rows at or below the anchor are gone; only a recorded prune explains that. Each
        // prune's range starts one past the anchor it found, and a prune refuses to start
        // from an anchor no recorded prune explains, so the newest record vouches for every
        // id up to its end, including those of earlier prunes whose rows it removed.
        guard case .recorded(let newest, _) = record else { return .missing }
        if expected.id == anchor.id { return .anchor }
        return .pruned(recordedAt: prunes.first { $0.range.contains(expected.id) }?.id ?? newest)
    }
}
