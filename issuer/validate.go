package issuer

import (
	"fmt"

	"github.com/badgesmith/badgesmith/internal/jsonvalue"
)

// Validate checks a credential made outside Build (one a VC-API client
// sent, say) as Build checks its own: the OB 3.0 data model, the schema,
// and each result against its result description. Errors wrap
// ErrInvalidInput; an ob3 error among them names the JSON path (its
// JSONPath method), a *ResultError the result.
func Validate(cred map[string]any) error {
	raw, err := jsonvalue.Marshal(cred)
	if err != nil {
		return fmt.Errorf("encoding credential: %w: %w", ErrInvalidInput, err)
	}
	return validate(raw)
}
