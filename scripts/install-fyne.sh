#!/bin/sh
# Builds the fyne CLI (fyne.io/tools, pinned) into $(go env GOPATH)/bin.
# It goes through a throwaway module because `go install pkg@version` also
# asks the module proxy for the version list, which a filtered proxy may
# refuse.
set -e
GO=${GO:-go}
VERSION=v1.7.2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$GO" mod init fynetools >/dev/null 2>&1
GOFLAGS=-mod=mod "$GO" get "fyne.io/tools@$VERSION"
GOFLAGS=-mod=mod "$GO" build -o "$("$GO" env GOPATH)/bin/fyne" fyne.io/tools/cmd/fyne
echo "installed fyne $VERSION in $("$GO" env GOPATH)/bin"
