package jsonld

import (
	"fmt"
	"time"
)

// ParseDateTimeStamp parses an XML Schema dateTimeStamp, the datatype of a
// proof's created and expires and of a credential's validFrom and
// validUntil: an RFC 3339 date and time whose time zone is required.
func ParseDateTimeStamp(s string) (time.Time, error) {
	if len(s) > 64 {
		return time.Time{}, fmt.Errorf("date-time of %d characters", len(s))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date-time with time zone", s)
	}
	return t, nil
}
