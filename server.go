// Command shopsight serves a GraphQL API for e-commerce analytics: search,
// forecasts, recommendations and BI aggregations over users, products,
// orders, reviews and behaviour events kept in an embedded Badger store.
//
// Run "shopsight help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand. Each lives in a cmd_*.go file.
type command struct {
	name    string
	summary string
	// run parses args with its own flag set and does the work.
	run func(ctx context.Context, app *app, args []string) error
}

// app holds what every command shares: output streams and the logger
// settings chosen by the global flags.
type app struct {
	stdout io.Writer
	stderr io.Writer
	stdin  io.Reader
	logger *slog.Logger
}

func commands() []command {
	return []command{
		demoCommand(),
		serveCommand(),
		importCommand(),
		embedCommand(),
		trainCommand(),
		evalCommand(),
		forecastCommand(),
		benchCommand(),
		keysCommand(),
		backupCommand(),
		restoreCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a := &app{stdout: os.Stdout, stderr: os.Stderr, stdin: os.Stdin}
	err := runMain(ctx, a, os.Args[1:])
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "shopsight:", err)
	}
	os.Exit(exitCode(err))
}

// usageError is a mistake in the command line, such as a missing or
// unknown command. It exits with status 2, as the flag package does.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode returns the process exit status for runMain's error: 0 for
// none or a help request, 2 for a usage error and 1 otherwise.
func exitCode(err error) int {
	var usage usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &usage):
		return 2
	default:
		return 1
	}
}

// runMain dispatches to a subcommand; tests call it directly.
func runMain(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 {
		printUsage(a.stderr)
		return usageError{`missing command: run "shopsight help" for the list`}
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return runMain(ctx, a, []string{args[1], "-h"})
		}
		printUsage(a.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, a, args[1:])
		}
	}
	printUsage(a.stderr)
	return usageError{fmt.Sprintf("unknown command %q; run \"shopsight help\" for the list", args[0])}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: shopsight COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "shopsight COMMAND -h" for the flags of a command.`)
}

// logFlags are the logging flags every command accepts.
type logFlags struct {
	format string
	level  string
}

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.format, "log-format", "text", "log output format: text or json")
	fs.StringVar(&l.level, "log-level", "info", "minimum log level: debug, info, warn or error")
}

// newLogger builds the logger the flags describe, writing to w.
func (l *logFlags) newLogger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(l.level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: use debug, info, warn or error", l.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(l.format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("invalid --log-format %q: use text or json", l.format)
	}
}

// checkFlagsBeforeArgs returns a usage error when a positional argument
// left after fs.Parse(args) looks like a flag. The flag package stops at
// the first positional argument, so a flag after the paths would be read
// as a path. Arguments after a "--" terminator are paths by request.
func checkFlagsBeforeArgs(fs *flag.FlagSet, args []string) error {
	rest := fs.Args()
	if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
		return nil
	}
	for _, arg := range rest {
		if len(arg) > 1 && strings.HasPrefix(arg, "-") {
			name, _, _ := strings.Cut(arg, "=")
			return usageError{fmt.Sprintf("flag %s after the paths: put flags before the paths", name)}
		}
	}
	return nil
}

// newFlagSet returns a flag set whose -h output lists every flag with its
// default, under a usage line.
func newFlagSet(a *app, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shopsight %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}
