package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/shopsight/shopsight/graph/auth"
	"github.com/shopsight/shopsight/storage"
)

// keysCommand manages API keys in a store. The store must not be open in
// another process: on the data directory of a running serve every target
// fails with the store's ErrLocked message, so stop the server first.
func keysCommand() command {
	return command{
		name:    "keys",
		summary: "manage API keys: keys create, keys list, keys revoke",
		run: func(ctx context.Context, a *app, args []string) error {
			return runTarget(ctx, a, "keys", keysTargets(), args)
		},
	}
}

func keysTargets() []target {
	return []target{
		{name: "create", summary: "create a key with a role and print it once", run: runKeysCreate},
		{name: "list", summary: "list keys with their id, name, role and status", run: runKeysList},
		{name: "revoke", summary: "revoke a key by id", run: runKeysRevoke},
	}
}

// keysNote ends the help of every keys target.
const keysNote = `

Stop a running "shopsight serve" on DIR first: the server holds the data
directory's lock, so keys fails with "data directory is in use" meanwhile.`

// keysFlags are the flags every keys target shares.
type keysFlags struct {
	log     logFlags
	dataDir string
}

func (k *keysFlags) register(fs *flag.FlagSet) {
	k.log.register(fs)
	fs.StringVar(&k.dataDir, "data", "", "data directory of the store (required)")
}

// open opens the store and its keys; the caller closes the store.
func (k *keysFlags) open(a *app, fs *flag.FlagSet) (*storage.Store, *auth.Keys, error) {
	if k.dataDir == "" {
		fs.Usage()
		return nil, nil, errMissingData
	}
	logger, err := k.log.newLogger(a.stderr)
	if err != nil {
		return nil, nil, err
	}
	store, err := storage.Open(storeOptions(k.dataDir, logger).WithMustExist(true))
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return nil, nil, fmt.Errorf("%w; keys cannot change while a server holds the store", err)
		}
		return nil, nil, err
	}
	return store, auth.NewKeys(store), nil
}

func runKeysCreate(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "keys create", "keys create --data DIR --name NAME --role viewer|analyst|admin"+keysNote)
	var kf keysFlags
	kf.register(fs)
	name := fs.String("name", "", "name of the key, saying who uses it (required)")
	roleName := fs.String("role", "", "role of the key: viewer, analyst or admin (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *roleName == "" {
		return errors.New("missing --role: use viewer, analyst or admin")
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return err
	}
	store, keys, err := kf.open(a, fs)
	if err != nil {
		return err
	}
	defer store.Close()
	plaintext, key, err := keys.Create(ctx, *name, role)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, plaintext)
	fmt.Fprintf(a.stderr, "created API key %s (%s, role %s). It is shown only this once: store it now.\nSend it as: Authorization: Bearer <key>\n",
		key.ID, key.Name, key.Role)
	return nil
}

func runKeysList(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "keys list", "keys list --data DIR"+keysNote)
	var kf keysFlags
	kf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, keys, err := kf.open(a, fs)
	if err != nil {
		return err
	}
	defer store.Close()
	list, err := keys.List(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stderr, `no API keys; create one with "shopsight keys create"`)
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tCREATED\tSTATUS")
	for _, k := range list {
		status := "active"
		if k.Revoked {
			status = "revoked " + k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.Created.Format(time.RFC3339), status)
	}
	return tw.Flush()
}

func runKeysRevoke(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "keys revoke", "keys revoke --data DIR --id ID"+keysNote)
	var kf keysFlags
	kf.register(fs)
	id := fs.String("id", "", "id of the key to revoke, as keys list shows (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" {
		return errors.New("missing --id: pass the id of the key to revoke, as \"shopsight keys list\" shows")
	}
	store, keys, err := kf.open(a, fs)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := keys.Revoke(ctx, *id); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "revoked API key %s\n", *id)
	return nil
}
