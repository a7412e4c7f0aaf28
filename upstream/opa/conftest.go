package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
	"github.com/open-policy-agent/opa/v1/util"
	"go.yaml.in/yaml/v3"
)

// registerConftestBuiltins adds conftest's configuration parsing builtins, for the YAML and JSON
// parsers. A YAML stream of several documents parses to the list of them, and a list is one entry
// per element in the combined form.
func registerConftestBuiltins() {
	rego.RegisterBuiltin2(&rego.Function{
		Name: "parse_config",
		Decl: types.NewFunction(types.Args(types.S, types.S), types.A),
	}, func(_ rego.BuiltinContext, parser, text *ast.Term) (*ast.Term, error) {
		name, ok1 := parser.Value.(ast.String)
		content, ok2 := text.Value.(ast.String)
		if !ok1 || !ok2 {
			return nil, errors.New("parse_config: the parser and the configuration must be strings")
		}
		documents, err := parseDocuments(string(name), []byte(content))
		if err != nil {
			return nil, fmt.Errorf("parse_config: %w", err)
		}
		return documentsTerm(documents)
	})

	rego.RegisterBuiltin1(&rego.Function{
		Name: "parse_config_file",
		Decl: types.NewFunction(types.Args(types.S), types.A),
	}, func(_ rego.BuiltinContext, path *ast.Term) (*ast.Term, error) {
		file, ok := path.Value.(ast.String)
		if !ok {
			return nil, errors.New("parse_config_file: the path must be a string")
		}
		documents, err := readConfig(filepath.Clean(string(file)))
		if err != nil {
			return nil, fmt.Errorf("parse_config_file: %w", err)
		}
		return documentsTerm(documents)
	})

	rego.RegisterBuiltin1(&rego.Function{
		Name: "parse_combined_config_files",
		Decl: types.NewFunction(types.Args(types.NewArray(nil, types.S)), types.A),
	}, func(_ rego.BuiltinContext, paths *ast.Term) (*ast.Term, error) {
		list, ok := paths.Value.(*ast.Array)
		if !ok {
			return nil, errors.New("parse_combined_config_files: the paths must be an array of strings")
		}
		combined := []*ast.Term{}
		for i := range list.Len() {
			file, ok := list.Elem(i).Value.(ast.String)
			if !ok {
				return nil, errors.New("parse_combined_config_files: the paths must be strings")
			}
			shown := filepath.Clean(string(file))
			documents, err := readConfig(shown)
			if err != nil {
				return nil, fmt.Errorf("parse_combined_config_files: %w", err)
			}
			parsed, err := documentsTerm(documents)
			if err != nil {
				return nil, err
			}
			entries := []*ast.Term{parsed}
			if list, ok := parsed.Value.(*ast.Array); ok {
				entries = entries[:0]
				list.Foreach(func(t *ast.Term) { entries = append(entries, t) })
			}
			for _, contents := range entries {
				combined = append(combined, ast.ObjectTerm(
					ast.Item(ast.StringTerm("path"), ast.StringTerm(shown)),
					ast.Item(ast.StringTerm("contents"), contents),
				))
			}
		}
		return ast.ArrayTerm(combined...), nil
	})
}

// readConfig reads a YAML or JSON file as its documents.
func readConfig(path string) ([]any, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		return parseDocuments("json", content)
	case ".yaml", ".yml":
		return parseDocuments("yaml", content)
	}
	return nil, fmt.Errorf("%s: only YAML and JSON files are read here", path)
}

// parseDocuments parses content with conftest's yaml or json parser.
func parseDocuments(parser string, content []byte) ([]any, error) {
	switch strings.ToLower(parser) {
	case "json":
		var value any
		if err := util.UnmarshalJSON(content, &value); err != nil {
			return nil, fmt.Errorf("json: %w", err)
		}
		return []any{value}, nil
	case "yaml", "yml":
		documents, err := yamlDocuments(content)
		if err != nil {
			return nil, fmt.Errorf("yaml: %w", err)
		}
		return documents, nil
	}
	return nil, fmt.Errorf("parser %q is not supported here (yaml and json are)", parser)
}

// documentsTerm is one document as itself and several as the list of them.
func documentsTerm(documents []any) (*ast.Term, error) {
	var value any = documents
	if len(documents) == 1 {
		value = documents[0]
	}
	converted, err := ast.InterfaceToValue(value)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(converted), nil
}

// yamlDocuments splits a YAML stream into its non-empty documents, each read as OPA reads YAML.
func yamlDocuments(content []byte) ([]any, error) {
	decoder := yaml.NewDecoder(bytes.NewReader(content))
	documents := []any{}
	for {
		var node yaml.Node
		err := decoder.Decode(&node)
		if errors.Is(err, io.EOF) {
			return documents, nil
		}
		if err != nil {
			return nil, err
		}
		text, err := yaml.Marshal(&node)
		if err != nil {
			return nil, err
		}
		var value any
		if err := util.Unmarshal(text, &value); err != nil {
			return nil, err
		}
		if value != nil {
			documents = append(documents, value)
		}
	}
}
