#!/bin/sh
# Builds bench/ns3/chain (ns-3's side of `bench chain`) against Debian's libns3-dev; prints why not
# and exits 2 when it is not installed. The binary goes to bench/ns3/build/ (git-ignored).
set -e
here=$(dirname "$0")
mods="ns3-core ns3-network ns3-internet ns3-point-to-point ns3-applications"
if ! pkg-config --exists $mods 2>/dev/null; then
  echo "ns-3 is not installed (pkg-config finds no $mods): apt-get install -y libns3-dev" >&2
  exit 2
fi
mkdir -p "$here/build"
if [ ! "$here/build/chain" -nt "$here/chain.cc" ]; then
  # The modules' own libraries only: Debian's .pc files also name libgsl.so, which only libgsl-dev
  # provides and this program does not use.
  libs=$(for m in $mods; do printf ' -l%s' "$m"; done)
  g++ -O2 -std=c++17 -o "$here/build/chain" "$here/chain.cc" $(pkg-config --cflags $mods) $libs
fi
