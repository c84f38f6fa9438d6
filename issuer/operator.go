package issuer

import (
	"os"
	"os/user"
	"strconv"
)

// OSAccount returns the operating system account this process runs as:
// its numeric user id (a SID on Windows) and the account's name, or ""
// when the id has no name (a container user without a passwd entry). The
// name comes from the system's user database, never from $USER, which
// anyone can set: a Ledger records it beside the claimed actor so that the
// audit trail does not rest on a claim alone.
func OSAccount() (uid, name string) {
	id := os.Getuid()
	if id < 0 { // Windows
		u, err := user.Current()
		if err != nil {
			return "", ""
		}
		return u.Uid, u.Username
	}
	uid = strconv.Itoa(id)
	if u, err := user.LookupId(uid); err == nil {
		name = u.Username
	}
	return uid, name
}
