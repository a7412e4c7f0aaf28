// Command etcd is upstream etcd: the etcd server module ships its main as the etcdmain package,
// not as an installable command, so this is the smallest main that runs it.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
