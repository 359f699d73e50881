package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/shopsight/shopsight/storage"
	"github.com/shopsight/shopsight/storage/backup"
)

func backupCommand() command {
	return command{
		name:    "backup",
		summary: "write a backup of a store, offline (--data) or from a running server (--url)",
		run:     runBackup,
	}
}

func restoreCommand() command {
	return command{
		name:    "restore",
		summary: "restore a backup into a new data directory",
		run:     runRestore,
	}
}

// apiKeyEnv names the environment variable that backup --url reads the API
// key from when --key is not given, which keeps the key out of the process
// list.
const apiKeyEnv = "SHOPSIGHT_API_KEY"

func runBackup(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "backup", `backup --to FILE (--data DIR | --url http://HOST:PORT [--key KEY])

--data backs up a store that no server holds. While "shopsight serve" runs,
use --url with an admin API key: the server streams a consistent snapshot.
The full-text and vector indexes are not in the backup; a server rebuilds
them when it starts on the restored directory.`)
	var lf logFlags
	lf.register(fs)
	to := fs.String("to", "", "backup file to write; must not exist (required)")
	dataDir := fs.String("data", "", "data directory of a store that no server holds")
	serverURL := fs.String("url", "", "base URL of a running server, such as http://127.0.0.1:8080")
	key := fs.String("key", "", "admin API key for --url (default: $"+apiKeyEnv+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := lf.newLogger(a.stderr)
	if err != nil {
		return err
	}
	if *to == "" {
		fs.Usage()
		return errors.New("missing --to: pass the backup file to write")
	}
	if (*dataDir == "") == (*serverURL == "") {
		fs.Usage()
		return errors.New("pass exactly one of --data (offline) and --url (running server)")
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("backup file %s exists; pass a new file name", *to)
	}

	// Writing to a temporary file and renaming it keeps a failed backup from
	// looking like a finished one.
	tmp, err := os.CreateTemp(filepath.Dir(*to), filepath.Base(*to)+".partial-*")
	if err != nil {
		return fmt.Errorf("create backup file next to %s: %w", *to, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()

	if *dataDir != "" {
		err = backupOffline(ctx, *dataDir, tmp, logger)
	} else {
		apiKey := *key
		if apiKey == "" {
			apiKey = os.Getenv(apiKeyEnv)
		}
		err = backupOnline(ctx, *serverURL, apiKey, tmp)
	}
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	info, err := backup.Verify(ctx, tmp)
	if err != nil {
		return fmt.Errorf("verify the written backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync backup file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close backup file: %w", err)
	}
	if err := os.Rename(tmp.Name(), *to); err != nil {
		return fmt.Errorf("move backup into place at %s: %w", *to, err)
	}
	fmt.Fprintf(a.stdout, "wrote backup %s: %d bytes, schema version %d, taken %s\n",
		*to, info.Bytes, info.SchemaVersion, info.Created.Format("2006-01-02T15:04:05Z07:00"))
	return nil
}

func backupOffline(ctx context.Context, dir string, w io.Writer, logger *slog.Logger) error {
	store, err := storage.Open(storeOptions(dir, logger).WithMustExist(true))
	if err != nil {
		if errors.Is(err, storage.ErrLocked) {
			return fmt.Errorf("%w; for an online backup of a running server use --url http://HOST:PORT with an admin --key", err)
		}
		return err
	}
	defer closeStore(store, logger)
	info, err := backup.Backup(ctx, store, w)
	if err != nil {
		return err
	}
	logger.Info("backup written", "dir", dir, "bytes", info.Bytes)
	return nil
}

// backupOnline downloads GET /admin/backup from a running server.
func backupOnline(ctx context.Context, baseURL, apiKey string, w io.Writer) error {
	if apiKey == "" {
		return fmt.Errorf("missing API key: pass --key or set %s to an admin key", apiKeyEnv)
	}
	url := strings.TrimRight(baseURL, "/") + "/admin/backup"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("invalid --url %q: %w", baseURL, err)
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	// A Transport without Proxy sends the request straight to the server
	// named in --url, never to a proxy from the environment.
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("request backup from %s: %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("backup from %s failed: %s: %s", url, res.Status, serverErrorMessage(res.Body))
	}
	if _, err := io.Copy(w, res.Body); err != nil {
		return fmt.Errorf("download backup from %s: %w", url, err)
	}
	return nil
}

// serverErrorMessage returns the first GraphQL-shaped error message of an
// error response, or its first bytes.
func serverErrorMessage(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, 64<<10))
	var body struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &body) == nil && len(body.Errors) > 0 {
		return body.Errors[0].Message
	}
	return strings.TrimSpace(string(b[:min(len(b), 200)]))
}

func runRestore(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "restore", `restore --from FILE --data NEWDIR

NEWDIR must be new or empty. The full-text and vector indexes are not in a
backup; "shopsight serve --data NEWDIR" rebuilds them at start.`)
	var lf logFlags
	lf.register(fs)
	from := fs.String("from", "", "backup file to restore (required)")
	dataDir := fs.String("data", "", "new or empty data directory to restore into (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := lf.newLogger(a.stderr); err != nil {
		return err
	}
	if *from == "" || *dataDir == "" {
		fs.Usage()
		return errors.New("missing --from or --data: pass the backup file and a new data directory")
	}
	f, err := os.Open(*from)
	if err != nil {
		return fmt.Errorf("open backup file: %w", err)
	}
	defer f.Close()
	info, err := backup.Restore(ctx, f, *dataDir)
	if err != nil {
		return fmt.Errorf("restore %s: %w", *from, err)
	}
	fmt.Fprintf(a.stdout, "restored %s into %s: %d bytes, schema version %d, taken %s\n",
		*from, *dataDir, info.Bytes, info.SchemaVersion, info.Created.Format("2006-01-02T15:04:05Z07:00"))
	return nil
}
