package main

import (
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// disableNetworkBuiltins keeps the declarations of OPA's builtins that reach the network (policies
// that name them still compile) and makes each call fail, which OPA's default reads as undefined.
func disableNetworkBuiltins() {
	topdown.RegisterBuiltinFunc(ast.NetLookupIPAddr.Name, func(_ topdown.BuiltinContext, operands []*ast.Term, _ func(*ast.Term) error) error {
		name := operands[0].String()
		if text, ok := operands[0].Value.(ast.String); ok {
			name = "'" + string(text) + "'" // as the regorus dialect words it
		}
		return fmt.Errorf("designer does not resolve names while it evaluates policies (%s)", name)
	})
	topdown.RegisterBuiltinFunc(ast.HTTPSend.Name, func(topdown.BuiltinContext, []*ast.Term, func(*ast.Term) error) error {
		return fmt.Errorf("designer does not send HTTP requests while it evaluates policies")
	})
}
