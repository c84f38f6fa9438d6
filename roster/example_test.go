package roster_test

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/badgesmith/badgesmith/roster"
)

// ExampleRequests turns the rows of a CSV roster into the issuer's batch
// items (issuer.Batch.Run consumes them); a bad row is a line error, and
// reading goes on.
func ExampleRequests() {
	achievement := map[string]any{
		"id": "https://example.edu/achievements/1", "type": []any{"Achievement"},
		"name": "Data Analysis", "description": "Analyses data.", "criteria": map[string]any{"narrative": "Pass."},
	}
	reqs, err := roster.NewRequests(roster.RequestOptions{Achievement: achievement})
	if err != nil {
		fmt.Println(err)
		return
	}
	const cohort = "student_id,email,name\n1001,ada@example.com,Ada Lovelace\n1002,not-an-email,Alan Turing\n"
	rd, err := roster.NewReader(strings.NewReader(cohort), roster.Options{Format: roster.CSV, Mapping: roster.Mapping{Key: "student_id", Email: "email", Name: "name"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	items := reqs.Items(rd)
	for {
		it, err := items.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			fmt.Println("bad:", err)
			continue
		}
		fmt.Println(it.Line, it.Key, it.Recipient, it.Request.RecipientEmail)
	}
	// Output:
	// 2 1001 ada@example.com ada@example.com
	// bad: line 3: email: invalid value: "not-an-email": not an email address
}
