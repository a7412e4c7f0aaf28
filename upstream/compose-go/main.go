// Command compose-go loads Compose files with compose-go, the Compose specification's reference loader
// (pinned by this module's go.mod), and prints the model it builds as JSON: designer's tests load the
// same files with designer's own Compose reader and compare the two (tests/importing/).
//
//	compose-go [-project NAME] FILE
//
// The file is read as `docker compose config` reads it: variables interpolated from the process
// environment and the `.env` file beside FILE, the schema checked, short syntax turned into the
// canonical long form, defaults filled in. Relative paths stay relative (designer keeps them as
// written), and no other file is required to exist. A file compose-go refuses prints its error on
// stderr and exits 1.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	project := flag.String("project", "", "project name (default: the folder of FILE)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: compose-go [-project NAME] FILE")
		os.Exit(2)
	}
	file, err := filepath.Abs(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	options := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithEnvFiles(),
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(false),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
	}
	if *project != "" {
		options = append(options, cli.WithName(*project))
	}
	projectOptions, err := cli.NewProjectOptions([]string{file}, options...)
	if err != nil {
		fail(err)
	}
	model, err := projectOptions.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := json.MarshalIndent(model, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
