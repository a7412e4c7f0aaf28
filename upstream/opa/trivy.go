package main

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// unavailable are Trivy's other builtins: declared so that a suite that mentions them compiles (OPA
// compiles every module before it evaluates any), and failing when called (OPA reads that as
// undefined), as an unknown function fails only its caller in regorus.
var unavailable = map[string]*types.Function{
	"cidr.count_addresses": types.NewFunction(types.Args(types.S), types.N),
	"isManaged":            types.NewFunction(types.Args(types.A), types.B),
	"cidr.is_public":       types.NewFunction(types.Args(types.S), types.B),
	"sh.parse_commands":    types.NewFunction(types.Args(types.S), types.A),
	"squealer.scan_string": types.NewFunction(types.Args(types.S), types.A),
}

// resultFields are the location fields result.new copies from the cause's __defsec_metadata.
var resultFields = []string{"startline", "endline", "filepath", "explicit", "managed", "fskey", "resource", "sourceprefix"}

// registerTrivyBuiltins adds Trivy's result.new(msg, cause): the finding object of a Trivy check, the
// message plus the location fields the cause's __defsec_metadata carries (designer's regorus dialect
// builds the same object). Trivy's other builtins are `unavailable`.
func registerTrivyBuiltins() {
	for name, decl := range unavailable {
		rego.RegisterBuiltin1(&rego.Function{Name: name, Decl: decl}, func(rego.BuiltinContext, *ast.Term) (*ast.Term, error) {
			return nil, fmt.Errorf("%s: a Trivy builtin that designer's OPA build does not implement", name)
		})
	}
	rego.RegisterBuiltin2(&rego.Function{
		Name: "result.new",
		Decl: types.NewFunction(types.Args(types.S, types.A), types.A),
	}, func(_ rego.BuiltinContext, msg, cause *ast.Term) (*ast.Term, error) {
		result := ast.NewObject(ast.Item(ast.StringTerm("msg"), msg))
		if object, ok := cause.Value.(ast.Object); ok {
			if wrapped := object.Get(ast.StringTerm("__defsec_metadata")); wrapped != nil {
				if metadata, ok := wrapped.Value.(ast.Object); ok {
					for _, name := range resultFields {
						if value := metadata.Get(ast.StringTerm(name)); value != nil {
							result.Insert(ast.StringTerm(name), value)
						}
					}
				}
			}
		}
		return ast.NewTerm(result), nil
	})
}
