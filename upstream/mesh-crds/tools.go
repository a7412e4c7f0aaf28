//go:build tools

// Package tools pins the Go modules that ship the real service-mesh CRDs, so that `go mod tidy`
// keeps them in go.mod and go.sum. Nothing here is built: scripts/fetch-mesh-crds.sh asks
// `go mod download -json` for each module's folder in the module cache and copies its CRD files
// (Istio's kubernetes/customresourcedefinitions.gen.yaml, Gateway API's config/crd/{standard,experimental}).
// The imported packages are the modules' smallest (constants only), so the module graph stays small.
package tools

import (
	_ "istio.io/api/label"
	_ "sigs.k8s.io/gateway-api/pkg/consts"
)
