package main

import (
	"context"
	"fmt"
	"io"
)

// evalCommand measures models offline. Each target, such as "eval
// recommend", lives in its own cmd_eval_<target>.go file and is listed in
// evalTargets.
func evalCommand() command {
	return command{
		name:    "eval",
		summary: "evaluate models offline: eval forecast, eval recommend, eval search",
		run: func(ctx context.Context, a *app, args []string) error {
			return runTarget(ctx, a, "eval", evalTargets(), args)
		},
	}
}

// evalTargets lists the targets of "shopsight eval".
func evalTargets() []target {
	return []target{
		{name: "forecast", summary: "score forecasting models on a series file or a store's series", run: runEvalForecast},
		{name: "recommend", summary: "score recommendation models on an interaction file or a store's orders", run: runEvalRecommend},
		{name: "search", summary: "score keyword, semantic and hybrid product search on graded relevance judgments", run: runEvalSearch},
	}
}

// target is a subcommand of a command with several targets, such as
// "train recommend".
type target struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

// runTarget dispatches args[0] to one of targets of the command cmd.
func runTarget(ctx context.Context, a *app, cmd string, targets []target, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printTargets(a.stderr, cmd, targets)
		if len(args) == 0 {
			return fmt.Errorf("missing target: run \"shopsight %s TARGET\" with one of the targets listed above", cmd)
		}
		return nil
	}
	for _, t := range targets {
		if t.name == args[0] {
			return t.run(ctx, a, args[1:])
		}
	}
	printTargets(a.stderr, cmd, targets)
	return fmt.Errorf("unknown %s target %q; run \"shopsight %s help\" for the list", cmd, args[0], cmd)
}

func printTargets(w io.Writer, cmd string, targets []target) {
	fmt.Fprintf(w, "Usage: shopsight %s TARGET [flags]\n\nTargets:\n", cmd)
	for _, t := range targets {
		fmt.Fprintf(w, "  %-10s %s\n", t.name, t.summary)
	}
	fmt.Fprintf(w, "\nRun \"shopsight %s TARGET -h\" for the flags of a target.\n", cmd)
}
