package main

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/types"
)

// registerTrivyBuiltins adds Trivy's result.new(msg, cause): the finding object of a Trivy check,
// the message with the location fields of the cause (its __defsec_metadata when it has one), each
// with Trivy's default when the cause does not carry it.
func registerTrivyBuiltins() {
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
