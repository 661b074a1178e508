#!/usr/bin/env bash
# Installs what the tests need, idempotently, on a fresh Debian 12 (or Ubuntu) machine.
#
#   scripts/setup-test-env.sh [--unit|--all]      (default --all)
#
#   --unit  the tools unit tests run for real: mksquashfs, podman + runc, QEMU, busybox-static, cpio,
#           plus Debian's cloud kernels (amd64, and arm64 with an arm64 busybox) for the QEMU tests
#           and a podman containers.conf.
#   --all   also what the integration tests and `npm start` need: Chromium, code-server@4.100.3
#           (and the headers its native modules build against).
#
# Everything that is not an apt package goes into the test-env dir, outside node_modules:
#   PVKIT_TEST_ENV_DIR   default <repo>/.test-env
#     code-server/node_modules/.bin/code-server
#     kernel/vmlinuz, kernel/lib/modules/<version>/...   (Debian linux-image-*-cloud-amd64)
#     kernel-aarch64/{vmlinuz,busybox,lib/modules/...}   (linux-image-*-cloud-arm64, busybox-static:arm64)
#     containers.conf                                    (use with CONTAINERS_CONF=...)
#
# Run as root with apt it installs what is missing (and runs `apt-get update` only then). Otherwise
# it prints exactly what to install and carries on, so the tests that need it skip or fail loudly.
set -uo pipefail

MODE=all
for a in "$@"; do
  case "$a" in
    --unit) MODE=unit ;;
    --all) MODE=all ;;
    -h | --help)
      sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup-test-env: unknown argument '$a' (use --unit or --all)" >&2
      exit 2
      ;;
  esac
done

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_DIR="${PVKIT_TEST_ENV_DIR:-$ROOT/.test-env}"
CODE_SERVER_VERSION=4.100.3
# The ripgrep build @vscode/ripgrep 1.15.11 (bundled by code-server 4.100.3) downloads from GitHub
# in its postinstall; we seed its cache with Debian's rg instead (no GitHub here).
RG_CACHE_NAME=vscode-ripgrep-cache-1.15.11
RG_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

now_ms() { date +%s%3N; }
secs_since() { local d=$(($(now_ms) - $1)); printf '%d.%d' $((d / 1000)) $((d % 1000 / 100)); }
T0=$(now_ms)
PROBLEMS=()
step_t0=0
step() {
  step_t0=$(now_ms)
  echo "[setup] $*"
}
done_step() { echo "[setup]   done in $(secs_since "$step_t0") s"; }
problem() {
  PROBLEMS+=("$*")
  echo "[setup] !!! $*" >&2
}

is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
# Other processes may hold the dpkg lock (another engineer's installer); wait instead of failing.
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
APT_UPDATED=0
apt_update_once() {
  if [ "$APT_UPDATED" = 0 ]; then
    step "apt-get update"
    apt-get "${APT_OPTS[@]}" update -qq || problem "apt-get update failed"
    APT_UPDATED=1
    done_step
  fi
}

mkdir -p "$ENV_DIR"
echo "[setup] mode --$MODE; test-env dir $ENV_DIR (PVKIT_TEST_ENV_DIR)"

# --- 1. apt packages -------------------------------------------------------------------------------
PKGS=(squashfs-tools podman runc qemu-system-x86 qemu-system-arm qemu-utils busybox-static cpio openssl unzip docker-registry skopeo zstd)
if [ "$MODE" = all ]; then
  PKGS+=(chromium ripgrep libkrb5-dev pkg-config)
  # node-gyp builds code-server's native modules; most images have these, a minimal one may not.
  command -v make >/dev/null || PKGS+=(make)
  command -v g++ >/dev/null || PKGS+=(g++)
  command -v python3 >/dev/null || PKGS+=(python3)
fi
MISSING=()
if have_apt; then
  for p in "${PKGS[@]}"; do pkg_installed "$p" || MISSING+=("$p"); done
else
  for p in "${PKGS[@]}"; do MISSING+=("$p"); done
fi
if [ "${#MISSING[@]}" = 0 ]; then
  echo "[setup] apt packages: all ${#PKGS[@]} present"
elif is_root && have_apt; then
  apt_update_once
  step "apt-get install ${MISSING[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends \
    "${MISSING[@]}" >/dev/null || problem "apt-get install ${MISSING[*]} failed"
  done_step
else
  problem "missing system packages; install them with:
      sudo apt-get update && sudo apt-get install -y --no-install-recommends ${MISSING[*]}
    (on other systems: the equivalents of mksquashfs, podman, runc, qemu-system-x86_64, busybox (static), cpio$([ "$MODE" = all ] && echo ", chromium, ripgrep, krb5 headers, pkg-config"))"
fi

# --- 2. Debian's cloud kernel for the QEMU tests ------------------------------------------------------
KDIR="$ENV_DIR/kernel"
if [ -f "$KDIR/vmlinuz" ] && [ -d "$KDIR/lib/modules" ]; then
  echo "[setup] kernel: $(cat "$KDIR/VERSION" 2>/dev/null || echo present) in $KDIR"
elif have_apt && command -v dpkg-deb >/dev/null; then
  # The metapackage names the current ABI, e.g. linux-image-6.1.0-56-cloud-amd64.
  resolve_kernel() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' | head -1; }
  KPKG="$(resolve_kernel)"
  if [ -z "$KPKG" ] && is_root; then
    apt_update_once
    KPKG="$(resolve_kernel)"
  fi
  if [ -z "$KPKG" ]; then
    problem "no linux-image-*-cloud-amd64 in the apt sources; QEMU tests will skip. Provide a kernel at $KDIR/vmlinuz and its modules under $KDIR/lib/modules/<version>/"
  else
    step "kernel: apt-get download $KPKG into $KDIR"
    tmp="$(mktemp -d)"
    # apt-get download runs as the _apt user when it can; it must be able to write the directory.
    chmod 0777 "$tmp"
    if (cd "$tmp" && apt-get "${APT_OPTS[@]}" download -qq "$KPKG") && dpkg-deb -x "$tmp"/"$KPKG"_*.deb "$tmp/x"; then
      rm -rf "$KDIR.new" && mkdir -p "$KDIR.new/lib"
      cp "$tmp"/x/boot/vmlinuz-* "$KDIR.new/vmlinuz"
      mv "$tmp/x/lib/modules" "$KDIR.new/lib/modules"
      echo "${KPKG#linux-image-}" >"$KDIR.new/VERSION"
      rm -rf "$KDIR" && mv "$KDIR.new" "$KDIR"
      echo "[setup]   $KDIR/vmlinuz, modules in $KDIR/lib/modules/$(cat "$KDIR/VERSION")"
    else
      problem "could not download/extract $KPKG; QEMU tests will skip"
    fi
    rm -rf "$tmp"
    done_step
  fi
else
  problem "no apt: put a x86_64 kernel at $KDIR/vmlinuz and its modules (virtio, squashfs) under $KDIR/lib/modules/<version>/ for the QEMU tests"
fi

# --- 2b. Debian's arm64 cloud kernel and arm64 busybox-static for the aarch64 boot test ---------------
# Read with a private apt state (arm64 package lists in a temp dir), so the machine's dpkg
# architectures and apt lists stay as they are. About 22 MB downloaded, a few seconds.
ADIR="$ENV_DIR/kernel-aarch64"
if [ -f "$ADIR/vmlinuz" ] && [ -d "$ADIR/lib/modules" ] && [ -x "$ADIR/busybox" ]; then
  echo "[setup] aarch64 kernel: $(cat "$ADIR/VERSION" 2>/dev/null || echo present) in $ADIR"
elif have_apt && command -v dpkg-deb >/dev/null; then
  step "aarch64 kernel and busybox-static:arm64 into $ADIR"
  tmp="$(mktemp -d)"
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  # apt-get runs its downloads as the _apt user when it can; it must be able to write these.
  chmod -R 0777 "$tmp"
  ARM=(-o APT::Architecture=arm64 -o APT::Architectures::=arm64 -o "Dir::State::Lists=$tmp/lists"
    -o "Dir::Cache=$tmp/cache" -o Dir::State::status=/dev/null)
  AKPKG=""
  if apt-get "${APT_OPTS[@]}" "${ARM[@]}" update -qq >/dev/null; then
    AKPKG="$(apt-cache "${ARM[@]}" depends linux-image-cloud-arm64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-arm64\)$/\1/p' | head -1)"
  fi
  if [ -n "$AKPKG" ] &&
    (cd "$tmp" && apt-get "${APT_OPTS[@]}" "${ARM[@]}" download -qq "$AKPKG" busybox-static) &&
    dpkg-deb -x "$tmp"/"$AKPKG"_*.deb "$tmp/x" && dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/bb"; then
    rm -rf "$ADIR.new" && mkdir -p "$ADIR.new/lib"
    cp "$tmp"/x/boot/vmlinuz-* "$ADIR.new/vmlinuz"
    mv "$tmp/x/lib/modules" "$ADIR.new/lib/modules"
    cp "$tmp/bb/bin/busybox" "$ADIR.new/busybox"
    echo "${AKPKG#linux-image-}" >"$ADIR.new/VERSION"
    rm -rf "$ADIR" && mv "$ADIR.new" "$ADIR"
    echo "[setup]   $ADIR/vmlinuz, busybox, modules in $ADIR/lib/modules/$(cat "$ADIR/VERSION")"
  else
    problem "could not fetch Debian's arm64 cloud kernel and busybox-static:arm64; the aarch64 boot test will skip"
  fi
  rm -rf "$tmp"
  done_step
else
  problem "no apt: put an arm64 kernel at $ADIR/vmlinuz, its modules under $ADIR/lib/modules/<version>/ and a static arm64 busybox at $ADIR/busybox for the aarch64 boot test"
fi

# --- 3. podman configuration for the image tests -------------------------------------------------------
# runc instead of crun (crun refuses hybrid cgroups) and lowered ulimits (no CAP_SYS_RESOURCE in our
# VMs, podman's default 1048576 cannot be set). Use it with CONTAINERS_CONF=$ENV_DIR/containers.conf.
cat >"$ENV_DIR/containers.conf.new" <<'EOF'
# Written by scripts/setup-test-env.sh; use with CONTAINERS_CONF=<this file>.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
mv "$ENV_DIR/containers.conf.new" "$ENV_DIR/containers.conf"
echo "[setup] podman config: $ENV_DIR/containers.conf"

# --- 4. code-server (VS Code 1.100.3 with a Node extension host) ---------------------------------------
if [ "$MODE" = all ]; then
  CS_DIR="$ENV_DIR/code-server"
  cs_version() { node -p "require('$CS_DIR/node_modules/code-server/package.json').version" 2>/dev/null; }
  if [ -x "$CS_DIR/node_modules/.bin/code-server" ] && [ "$(cs_version)" = "$CODE_SERVER_VERSION" ]; then
    echo "[setup] code-server $CODE_SERVER_VERSION present in $CS_DIR"
  else
    step "npm install code-server@$CODE_SERVER_VERSION into $CS_DIR (a few minutes on 2 cores)"
    mkdir -p "$CS_DIR"
    [ -f "$CS_DIR/package.json" ] || echo '{ "name": "pvkit-test-env", "private": true }' >"$CS_DIR/package.json"
    cache="$(node -p 'require("os").tmpdir()')/$RG_CACHE_NAME"
    if [ ! -f "$cache/$RG_TARBALL" ]; then
      if command -v rg >/dev/null; then
        tmp="$(mktemp -d)" && cp "$(command -v rg)" "$tmp/rg" && mkdir -p "$cache" &&
          tar -C "$tmp" -czf "$cache/$RG_TARBALL" rg && rm -rf "$tmp"
      else
        problem "ripgrep (rg) missing: @vscode/ripgrep will try GitHub and fail; apt-get install ripgrep"
      fi
    fi
    # unsafe_perm: code-server's postinstall refuses root without it. yes: node-pty's postinstall runs
    # `npx node-gyp`, which gives up under `yes = false`. Output goes to a log (it is long).
    log="$ENV_DIR/code-server-install.log"
    if (cd "$CS_DIR" && npm_config_yes=true npm_config_unsafe_perm=true npm install --foreground-scripts \
      --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >"$log" 2>&1) &&
      [ "$(cs_version)" = "$CODE_SERVER_VERSION" ]; then
      # Not `code-server --version`: without --config that writes ~/.config/code-server/config.yaml.
      echo "[setup]   code-server $(cs_version) installed"
    else
      tail -30 "$log" >&2
      problem "code-server install failed (full log: $log); integration tests and npm start cannot run"
    fi
    done_step
  fi
  # code-server's built-in TypeScript and GitHub/Microsoft sign-in extensions fetch A/B experiments
  # from default.exp-tas.com when they activate (a jsonc file is enough for TypeScript's). Tests may
  # reach nothing beyond loopback (test/support/loopbackOnly.mjs counts every attempt as a failure),
  # and no pvkit feature needs them: park them outside the folder VS Code scans.
  builtins="$CS_DIR/node_modules/code-server/lib/vscode/extensions"
  for ext in typescript-language-features github-authentication microsoft-authentication; do
    if [ -d "$builtins/$ext" ]; then
      mkdir -p "$builtins-parked" && rm -rf "$builtins-parked/$ext" && mv "$builtins/$ext" "$builtins-parked/$ext" &&
        echo "[setup] parked code-server's built-in $ext (it contacts default.exp-tas.com)"
    fi
  done
  command -v chromium >/dev/null || [ -n "${PVKIT_CHROMIUM:-}" ] ||
    problem "chromium not found: integration tests and screenshots need it (apt-get install chromium, or set PVKIT_CHROMIUM)"
fi

echo "[setup] finished in $(secs_since "$T0") s; ${#PROBLEMS[@]} problem(s)"
for p in "${PROBLEMS[@]}"; do echo "[setup]   - $p"; done
# Missing pieces are reported, not fatal: the tests that need them fail or skip loudly themselves.
exit 0
