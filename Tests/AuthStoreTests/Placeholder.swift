// Placeholder so the package builds in this clone: Package.swift declares this test target,
// whose tests are written elsewhere. Delete this file when real tests land here.
