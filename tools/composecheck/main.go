// composecheck validates docker-compose files the way `docker compose
// config` does, without a Docker engine or the Compose CLI plugin: it loads
// them with compose-go, the Compose specification's reference loader that
// the Compose CLI itself is built on (schema validation, interpolation of
// ${VARS} from the environment and .env, extends/merge, normalisation and
// the consistency checks: unknown services in depends_on, undeclared
// volumes and networks, ...).
//
//	composecheck [-q] [-env-file FILE] [-profile NAME]... FILE...
//
// Prints the resolved configuration (unless -q) and exits 1 on the first
// error, with compose-go's message.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var envFiles, profiles list
	quiet := flag.Bool("q", false, "only validate, print nothing")
	flag.Var(&envFiles, "env-file", "environment file (repeatable; default: .env next to the first file)")
	flag.Var(&profiles, "profile", "profile to enable (repeatable)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: composecheck [-q] [-env-file FILE] [-profile NAME]... FILE...")
		os.Exit(2)
	}
	dir, err := filepath.Abs(filepath.Dir(flag.Arg(0)))
	if err != nil {
		fail(err)
	}
	opts, err := cli.NewProjectOptions(flag.Args(),
		cli.WithWorkingDirectory(dir),
		cli.WithOsEnv,
		cli.WithEnvFiles(envFiles...),
		cli.WithDotEnv,
		cli.WithProfiles(profiles),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(false),
	)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	if *quiet {
		return
	}
	out, err := project.MarshalYAML()
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "composecheck:", err)
	os.Exit(1)
}
