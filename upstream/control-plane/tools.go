//go:build tools

// Package tools pins the upstream programs that scripts/build-control-plane.sh builds, so that
// `go mod tidy` keeps them (and everything they import) in go.mod and go.sum.
package tools

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)
