package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/badgesmith/badgesmith/internal/server"
)

// keyKind is what an apikey or oauth-client command manages.
type keyKind struct {
	use, short, long string
	noun             string // "API key", "OAuth client"
	create           func(*server.AdminClient, context.Context, server.KeyRequest) (server.CreatedKey, error)
	list             func(*server.AdminClient, context.Context) ([]server.APIKey, error)
	revoke           func(*server.AdminClient, context.Context, string) (server.APIKey, error)
	created          func(s streams, k server.CreatedKey)
}

func newAPIKeyCmd(s streams) *cobra.Command {
	return newKeyKindCmd(s, keyKind{
		use:   "apikey",
		short: "Create, list and revoke the API keys of a running badgesmith serve",
		long: `Manage the bearer API keys of a running badgesmith serve through its
admin API (scope admin). Keys are stored hashed: create prints the new key
once, on standard output; list shows ids, names and scopes only.`,
		noun:   "API key",
		create: (*server.AdminClient).CreateAPIKey,
		list:   (*server.AdminClient).APIKeys,
		revoke: (*server.AdminClient).RevokeAPIKey,
		created: func(s streams, k server.CreatedKey) {
			fmt.Fprintf(s.err, "API key %s created with scopes %s; it is shown once:\n", k.ID, strings.Join(k.Scopes, " "))
			fmt.Fprintln(s.out, k.Secret)
		},
	})
}

func newOAuthClientCmd(s streams) *cobra.Command {
	return newKeyKindCmd(s, keyKind{
		use:   "oauth-client",
		short: "Create, list and revoke the OAuth 2.0 clients of a running badgesmith serve",
		long: `Manage the OAuth 2.0 clients of a running badgesmith serve through its
admin API (scope admin). A client gets short-lived access tokens from the
server's POST /oauth2/token with the client credentials grant (HTTP Basic
or client_id and client_secret in the body), for a subset of its scopes.
create prints the client_id and client_secret once; revoking a client ends
its tokens at once.`,
		noun:   "OAuth client",
		create: (*server.AdminClient).CreateClient,
		list:   (*server.AdminClient).Clients,
		revoke: (*server.AdminClient).RevokeClient,
		created: func(s streams, k server.CreatedKey) {
			fmt.Fprintf(s.err, "OAuth client created with scopes %s; the secret is shown once:\n", strings.Join(k.Scopes, " "))
			fmt.Fprintf(s.out, "client_id=%s\nclient_secret=%s\n", k.ID, k.Secret)
		},
	})
}

func newKeyKindCmd(s streams, k keyKind) *cobra.Command {
	var ro remoteOptions
	client := func() (*server.AdminClient, error) {
		u := ro.serverURL()
		if u == "" {
			return nil, &usageError{k.use + " talks to a running badgesmith serve: give --server URL (or BADGESMITH_SERVER) and an admin API key in BADGESMITH_API_KEY (or --api-key-file)"}
		}
		return ro.client(u)
	}
	cmd := &cobra.Command{
		Use:   k.use,
		Short: k.short,
		Long:  k.long,
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	ro.AddFlags(cmd.PersistentFlags())
	var scopes []string
	var name string
	create := &cobra.Command{
		Use:   "create --scope SCOPE...",
		Short: "Create a " + k.noun + " (its secret is printed once)",
		Example: fmt.Sprintf(`  BADGESMITH_SERVER=http://127.0.0.1:8080 BADGESMITH_API_KEY=bsk_... \
    badgesmith %s create --name sis --scope %s --scope %s`, k.use, server.ScopeIssue, server.ScopeRead),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(scopes) == 0 {
				return &usageError{"--scope is required: " + server.ScopeIssue + ", " + server.ScopeStatus + ", " + server.ScopeRead + " or " + server.ScopeAdmin}
			}
			ac, err := client()
			if err != nil {
				return err
			}
			created, err := k.create(ac, cmd.Context(), server.KeyRequest{Name: name, Scopes: scopes})
			if err != nil {
				return err
			}
			k.created(s, created)
			return nil
		},
	}
	create.Flags().StringArrayVar(&scopes, "scope", nil, "a scope, repeatable: "+server.ScopeIssue+", "+server.ScopeStatus+", "+server.ScopeRead+", "+server.ScopeAdmin)
	create.Flags().StringVar(&name, "name", "", "a label for people")
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List the " + k.noun + "s, revoked ones included (no secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ac, err := client()
			if err != nil {
				return err
			}
			keys, err := k.list(ac, cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(s.out, nonNil(keys))
			}
			return printKeys(s.out, keys)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	revoke := &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a " + k.noun + " (it stops working at once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ac, err := client()
			if err != nil {
				return err
			}
			r, err := k.revoke(ac, cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(s.out, "%s: revoked\n", shown(r.ID))
			return nil
		},
	}
	cmd.AddCommand(create, list, revoke)
	return cmd
}
