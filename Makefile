# badgesmith developer targets. `make test` is the whole suite, interop included.
GO        ?= go
BIN       := bin/badgesmith
GOLANGCI  := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
# govulncheck and the vulnerability database it reads, pinned (make vuln).
GOVULNCHECK := golang.org/x/vuln/cmd/govulncheck@v1.9.0
VULNDB      := golang.org/x/vulndb@v0.0.0-20261105234957-e22db6528018
FUZZTIME  ?= 20s
# make fuzz-ci: seconds of fuzzing per target, and for the whole pass.
FUZZCI_TIME   ?= 3s
FUZZCI_BUDGET ?= 600

# Every go command here runs on the toolchain named by go.mod's `toolchain`
# line (the go command fetches it once through the module proxy). These
# machines set GOTOOLCHAIN=local, which ignores that line, so it is exported
# here; `make GOTOOLCHAIN=local ...` runs on the installed Go instead.
GOTOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)
export GOTOOLCHAIN

.PHONY: all build install test race lint vuln fuzz fuzz-ci bench demo interop interop-deps contexts clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/badgesmith

# Installs badgesmith into $GOBIN (default: $(go env GOPATH)/bin).
install:
	$(GO) install ./cmd/badgesmith

interop-deps:
	cd interop && npm ci --no-audit --no-fund

# The README's test command: vet, formatting, the race-enabled suite and the
# cross-implementation interop tests (which need interop/node_modules).
test: interop-deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	cd interop && npm test
	BADGESMITH_JSONLD_NODE_PATH=$(CURDIR)/interop/node_modules $(GO) test -race -count=1 ./...

race:
	$(GO) test -race -count=1 ./...

lint:
	$(GO) run $(GOLANGCI) run ./...

# govulncheck over a database built offline from the pinned vulndb module.
vuln:
	GO=$(GO) GOVULNCHECK=$(GOVULNCHECK) VULNDB=$(VULNDB) bash .ci/vuln.sh

# Each fuzz target runs for FUZZTIME.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

# CI's pass: FUZZCI_TIME per target, FUZZCI_BUDGET seconds in all (see
# .ci/fuzz.sh). A crash leaves its input in <pkg>/testdata/fuzz/<Target>/:
# commit it with the fix, and every go test runs it from then on.
fuzz-ci:
	GO=$(GO) FUZZTIME=$(FUZZCI_TIME) FUZZ_BUDGET=$(FUZZCI_BUDGET) FUZZ_ONLY='$(FUZZ_ONLY)' bash .ci/fuzz.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./contexts/ ./jsonld/ ./proof/ ./issuer/ ./verifier/ ./keys/ ./ob3/

interop: interop-deps
	$(GO) test -count=1 -v ./interop/

contexts:
	bash contexts/sync.sh

# Builds, makes a key in a temporary keyring, issues a credential from the
# polytechnic example in examples/, verifies it and shows the report.
demo: build
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	echo "== keyring in $$tmp/keys"; \
	$(BIN) keys generate --keyring $$tmp/keys demo-issuer; \
	echo "== issuing the examples/ microcredential"; \
	$(BIN) issue --keyring $$tmp/keys --key demo-issuer --issuer-profile examples/issuer.json \
	  --achievement examples/data-analysis.json --subject examples/learner.json --out $$tmp/credential.json; \
	echo "== verifying"; \
	$(BIN) verify $$tmp/credential.json

clean:
	rm -rf bin

# eddsa-rdfc-2022 sign/verify ops/s of badgesmith and of the reference JS
# stack on the same credentials (the 1EdTech vector and each of
# testdata/bench), in one run, with the ratio per credential.
.PHONY: bench-compare profile
bench-compare: interop-deps
	GO=$(GO) bash bench/compare.sh

# CPU and allocation profiles of eddsa-rdfc-2022 sign and verify in
# ./profiles (read with `go tool pprof profiles/proof.test profiles/sign.cpu.prof`),
# then of sign, proof verification and full verification of each realistic
# credential of testdata/bench (profiles/CRED-OP.cpu.prof, CRED-OP.alloc.prof,
# read with profiles/verifier.test).
PROFILE_CREDS ?= ob50 ob150 clr10 endorsement
profile:
	mkdir -p profiles
	$(GO) test -run '^$$' -bench 'SignEddsaRdfc2022$$' -benchtime 3s -cpu 1 -o profiles/proof.test \
	  -cpuprofile profiles/sign.cpu.prof -memprofile profiles/sign.alloc.prof ./proof/
	$(GO) test -run '^$$' -bench 'VerifyEddsaRdfc2022$$' -benchtime 3s -cpu 1 -o profiles/proof.test \
	  -cpuprofile profiles/verify.cpu.prof -memprofile profiles/verify.alloc.prof ./proof/
	$(GO) tool pprof -top -nodecount 15 profiles/proof.test profiles/sign.cpu.prof
	@set -e; for c in $(PROFILE_CREDS); do for op in sign proof-verify full-verify; do \
	  $(GO) test -run '^$$' -bench "Realistic/$$c/$$op$$" -benchtime 2s -cpu 1 -o profiles/verifier.test \
	    -cpuprofile profiles/$$c-$$op.cpu.prof -memprofile profiles/$$c-$$op.alloc.prof ./verifier/ | grep Benchmark; \
	done; done
	$(GO) tool pprof -top -cum -nodecount 25 profiles/verifier.test profiles/ob50-full-verify.cpu.prof

# Sign, proof verification and full verification of each realistic
# credential of testdata/bench beside bare Ed25519 on the same key, one
# core, in one run: ns/op, B/op, allocs/op, the ratios issue 14 names
# and the cost per N-Quad (bench/realistic reads the benchmark output).
BENCH_COUNT ?= 6
BENCH_TIME  ?= 1s
.PHONY: bench-realistic
bench-realistic:
	$(GO) test -run '^$$' -bench 'Realistic' -benchmem -cpu 1 -count $(BENCH_COUNT) -benchtime $(BENCH_TIME) ./verifier/ \
	  | tee /dev/stderr | $(GO) run ./bench/realistic

# Verifies VERIFY_FILES credentials issued by `badgesmith batch` with a
# status dir, on one core and on every core, alternating VERIFY_ROUNDS
# times: credentials/s, CPU per credential and the ratio to N x the
# one-core rate (wall clock, and CPU time per credential).
VERIFY_FILES ?= 10000
VERIFY_ROUNDS ?= 2
.PHONY: bench-verify-bulk
bench-verify-bulk: build
	$(GO) run ./bench/verifybulk -bin $(BIN) -files $(VERIFY_FILES) -rounds $(VERIFY_ROUNDS) -testdata testdata

# Issues a generated 100,000-row roster with `badgesmith batch` as
# eddsa-rdfc-2022 JSON and as VC-JWT (credentials/s, peak RSS), then kills a
# run half way and times its resumption. BATCH_ROWS changes the size.
BATCH_ROWS ?= 100000
.PHONY: bench-batch
bench-batch: build
	$(GO) run ./bench/batch -bin $(BIN) -rows $(BATCH_ROWS) -testdata testdata

# badgesmith serve on loopback under load (vegeta, pinned, run as a Go
# module): req/s, p50/p99 and the server's peak RSS for POST
# /credentials/verify and /credentials/issue at SERVE_CLIENTS concurrent
# clients, rate limits off, beside the in-process verification rate and
# the batch issuing rate of the same run (bench/serve).
SERVE_CLIENTS  ?= 1,16,128
SERVE_DURATION ?= 5s
.PHONY: bench-serve
bench-serve: build
	$(GO) run ./bench/serve -bin $(BIN) -go $(GO) -testdata testdata -clients $(SERVE_CLIENTS) -duration $(SERVE_DURATION)
