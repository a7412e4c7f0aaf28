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

// registerTrivyBuiltins adds Trivy's result.new(msg, cause): the finding object of a Trivy check,
// the message with the location fields of the cause (its __defsec_metadata when it has one), each
// with Trivy's default when the cause does not carry it. Trivy's other builtins are `unavailable`.
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
		metadata, _ := cause.Value.(ast.Object)
		if metadata != nil {
			if wrapped := metadata.Get(ast.StringTerm("__defsec_metadata")); wrapped != nil {
				if inner, ok := wrapped.Value.(ast.Object); ok {
					metadata = inner
				}
			}
		}
		field := func(name string, fallback *ast.Term) [2]*ast.Term {
			if metadata != nil {
				if value := metadata.Get(ast.StringTerm(name)); value != nil {
					return ast.Item(ast.StringTerm(name), value)
				}
			}
			return ast.Item(ast.StringTerm(name), fallback)
		}
		return ast.ObjectTerm(
			ast.Item(ast.StringTerm("msg"), msg),
			field("startline", ast.IntNumberTerm(0)),
			field("endline", ast.IntNumberTerm(0)),
			field("filepath", ast.StringTerm("")),
			field("explicit", ast.BooleanTerm(false)),
			field("managed", ast.BooleanTerm(true)),
			field("fskey", ast.StringTerm("")),
			field("resource", ast.StringTerm("")),
		), nil
	})
}
