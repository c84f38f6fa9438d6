package gen

// readme is testdata/hostile/README.md.
const readme = "# Hostile corpus (issue #10)\n" +
	"\n" +
	"Inputs that try to make the verifier say VALID to what it must refuse, or\n" +
	"stall it. `manifest.json` lists every case: what it attacks, its files (the\n" +
	"first is the input), the verdict it must get (`valid`, `invalid`,\n" +
	"`could-not-check`), the check that reports the problem, and caps on the\n" +
	"verifier's work counters (`verifier.Work`).\n" +
	"\n" +
	"Every file is made by the generator in `gen/` from fixed test keys, so the\n" +
	"corpus is reproducible; do not edit the files by hand:\n" +
	"\n" +
	"    go test ./verifier -run TestHostileCorpusUpToDate -update\n" +
	"\n" +
	"Cases marked `large` are listed but not committed; the tests build them.\n" +
	"Cases with a `scenario` (FIFOs, devices, file names, key files, rosters) are\n" +
	"built at test time in `cmd/badgesmith/hostile_test.go`. Network cases\n" +
	"(`serve`) are answered by a loopback TLS listener that the test resolver maps\n" +
	"the `*.hostile.example` names to.\n" +
	"\n" +
	"Tests: `TestHostileLibrary` and `TestHostileRewritesKeepTheGraph`,\n" +
	"`FuzzRewritePreservesVerdict` (package verifier), `TestHostileCLI`,\n" +
	"`TestHostileCLIScenarios` and, without -race, `TestHostilePeakMemory`\n" +
	"(package main of cmd/badgesmith).\n"
