package issuer

import (
	"sync/atomic"
	"time"
)

// BatchStage is a stage of a batch row's way through Run, as BatchStats
// times it.
type BatchStage int

// The stages BatchStats times. A row's stages run in this order; read,
// sync, store and manifest run in one goroutine each, the others in the
// workers, so their times add up across workers.
const (
	// StageRead reads the row from the roster and looks it up in the store
	// and the output directory.
	StageRead BatchStage = iota
	// StageBuild builds the credential and checks it against the OB 3.0
	// data model and schema.
	StageBuild
	// StageStatus takes the row's status list indices.
	StageStatus
	// StageSign canonicalizes and signs the credential and encodes it
	// (JSON, or the compact JWS).
	StageSign
	// StageEncode turns the signed credential into the file's bytes (a
	// baked image, or the JWS and a newline) and hashes them.
	StageEncode
	// StageWrite writes the file under a temporary name and renames it.
	StageWrite
	// StageSync makes a commit's files durable (one syncfs per commit).
	StageSync
	// StageStore records a commit's rows in the store (one transaction).
	StageStore
	// StageManifest writes a commit's manifest and rejects lines.
	StageManifest
	// StageResume checks the files of rows an earlier run wrote.
	StageResume
	// StageWindow is the reader waiting for room in the window of rows in
	// flight: time the commits, not the workers, hold the batch up.
	StageWindow
	numStages
)

var stageNames = [numStages]string{"read", "build", "status", "sign", "encode", "write", "sync", "store", "manifest", "resume", "window"}

// String returns the stage's name, as the CLI prints it.
func (s BatchStage) String() string {
	if s < 0 || s >= numStages {
		return "stage?"
	}
	return stageNames[s]
}

// BatchStats adds up the time a batch's rows spend in each stage (see
// BatchConfig.Stats). It is safe for concurrent use; the zero value is
// ready.
type BatchStats struct {
	ns, n [numStages]atomic.Int64
}

// StageTime is the time spent in one stage of a batch.
type StageTime struct {
	// Stage is the stage.
	Stage BatchStage
	// Time is the time spent in it, summed over the goroutines that run
	// it.
	Time time.Duration
	// Count is how many times it ran: rows, or commits for the sync,
	// store and manifest stages.
	Count int64
}

// Stages returns the time spent so far in each stage that ran, in stage
// order.
func (s *BatchStats) Stages() []StageTime {
	var out []StageTime
	for i := range numStages {
		if n := s.n[i].Load(); n > 0 {
			out = append(out, StageTime{Stage: i, Time: time.Duration(s.ns[i].Load()), Count: n})
		}
	}
	return out
}

// since adds the time from t0 to now to stage and returns now; a nil s
// times nothing.
func (s *BatchStats) since(stage BatchStage, t0 time.Time) time.Time {
	if s == nil {
		return t0
	}
	now := time.Now()
	s.ns[stage].Add(int64(now.Sub(t0)))
	s.n[stage].Add(1)
	return now
}

// start returns the time a stage starts at, or the zero time when s is
// nil (no clock read).
func (s *BatchStats) start() time.Time {
	if s == nil {
		return time.Time{}
	}
	return time.Now()
}
