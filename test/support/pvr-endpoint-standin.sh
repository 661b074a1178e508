#!/bin/busybox sh
# STAND-IN for a Pantavisor device's pvr endpoint, for the QEMU preview tests only.
#
# A real device serves http://IP:12368/cgi-bin/pvr from its pvr-sdk container; a real Pantavisor
# device cannot run here, so the test guest (an initramfs of busybox) runs this script instead,
# once per connection: `nc -ll -p 12368 -e /bin/pvr-endpoint` (busybox httpd cannot be used: it
# does not pass a PUT's body to a CGI). It implements the part of pvr's remote protocol
# (docs pantavisor-format.md §2.4) that `pvr post`, `pvr get`/`clone` and pvkit's push client use,
# with the same URL layout as `pvkit serve` (src/platform/remote/DeviceEndpoint.ts):
#
#   GET  <base>/.pvrremote            the remote description (json-key "state")
#   GET  <base>/json                  the current state ({} before the first post)
#   GET  <base>/revisions             {"current":N,"revisions":[{"rev":N,"state-sha":…}]}
#   POST <base>/objects/              announce {"objectname","sha256sum","size"}: 200 with
#                                     signed-puturl, or 409 + Pantahub-Object-Type when present
#   GET  <base>/objects/<sha>         the object record; its sha256sum is recomputed in the guest
#   PUT  <base>/objects/<sha>/blob    the bytes, verified with busybox sha256sum (422 on mismatch)
#   GET  <base>/objects/<sha>/blob    the bytes
#   POST <base>/revisions             {"commit-msg","rev","state"} → {"rev","state-sha","trail-id"}
#   GET  /                            /www/index.html (the boot tests' page)
#
# Everything is kept under /tmp/pvr-standin, which in the initramfs is RAM. Limits of the stand-in:
# one request per connection (HTTP/1.0 answers), the envelope must be canonical JSON (as pvr and
# pvkit send it: keys sorted, no whitespace), the requested "rev" is ignored (the next number is
# assigned, as for rev -1), and there is no auth.
D=/tmp/pvr-standin
BASE=/cgi-bin/pvr
mkdir -p "$D/objects" "$D/records" "$D/announced" "$D/revisions" "$D/tmp"

reason() {
  case "$1" in
    200) echo OK ;; 400) echo 'Bad Request' ;; 404) echo 'Not Found' ;; 405) echo 'Method Not Allowed' ;;
    409) echo Conflict ;; 411) echo 'Length Required' ;; 422) echo 'Unprocessable Entity' ;;
    *) echo Error ;;
  esac
}

# reply STATUS BODY [EXTRA-HEADER]: the whole HTTP response, then the connection closes.
reply() {
  printf 'HTTP/1.0 %s %s\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %s\r\n' \
    "$1" "$(reason "$1")" "$(($(printf '%s\n' "$2" | wc -c)))"
  [ -n "$3" ] && printf '%s\r\n' "$3"
  printf '\r\n%s\n' "$2"
  exit 0
}
fail() { reply "$1" "{\"error\":\"$2\"}"; }

is_sha() { printf '%s' "$1" | grep -qx '[0-9a-f]\{64\}'; }

# The request: "METHOD URI HTTP/1.x", headers up to an empty line, then LEN bytes of body.
# (ash's read takes one byte at a time from a socket, so the body stays unread for head -c.)
CR=$(printf '\r')
read -r METHOD URI _proto || exit 0
LEN=''
HOST=''
while read -r h; do
  h=${h%"$CR"}
  [ -z "$h" ] && break
  v=${h#*:}
  v=${v# }
  case "$h" in
    [Cc]ontent-[Ll]ength:*) LEN=$v ;;
    [Hh]ost:*) HOST=$v ;;
  esac
done
URI=${URI%%\?*}

# The request body, read to a file (exactly LEN bytes: the client may keep the connection open).
body_to() {
  printf '%s' "$LEN" | grep -qx '[0-9]\{1,\}' || fail 411 'Content-Length is required'
  head -c "$LEN" >"$1"
  [ "$(wc -c <"$1")" -eq "$LEN" ] || fail 400 'the body ended before Content-Length'
}

# A string field of a flat JSON object: json_str FILE KEY.
json_str() { sed -n "s/.*\"$2\":\"\\([^\"\\\\]*\\)\".*/\\1/p" "$1"; }

HOSTURL="http://$HOST"
record() { # record SHA → the object record JSON, sha256sum recomputed from the stored bytes
  name=$(cat "$D/records/$1")
  sum=$(sha256sum "$D/objects/$1" | cut -d ' ' -f 1)
  size=$(wc -c <"$D/objects/$1")
  printf '{"mime-type":"application/octet-stream","objectname":"%s","sha256sum":"%s","signed-geturl":"%s","size":"%s"}' \
    "$name" "$sum" "$HOSTURL$BASE/objects/$1/blob" "$((size))"
}

case "$URI" in
  "$BASE") P='' ;;
  "$BASE"/*) P=${URI#"$BASE"} ;;
  /)
    [ "$METHOD" = GET ] && [ -f /www/index.html ] || fail 404 'no page'
    printf 'HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n'
    cat /www/index.html
    exit 0
    ;;
  *) fail 404 "nothing at $URI" ;;
esac
case "$METHOD $P" in
  'GET ' | 'GET /')
    reply 200 '{"stand-in":"pvr endpoint of the pvkit QEMU test guest"}'
    ;;
  'GET /.pvrremote')
    # Absolute URLs, as Pantahub gives them, built from the Host header (the forwarded port).
    u="$HOSTURL$BASE"
    reply 200 "{\"json-get-url\":\"$u/json\",\"json-key\":\"state\",\"objects-endpoint\":\"$u/objects\",\"post-fields\":[\"commit-msg\"],\"post-fields-opt\":[\"rev\"],\"post-url\":\"$u/revisions\",\"pvr-spec\":\"pvkit-qemu-standin-1\"}"
    ;;
  'GET /json')
    if [ -f "$D/current" ]; then reply 200 "$(cat "$D/revisions/$(cat "$D/current").json")"; fi
    reply 200 '{}'
    ;;
  'GET /revisions')
    if [ -f "$D/current" ]; then
      n=$(cat "$D/current")
      reply 200 "{\"current\":$n,\"revisions\":[{\"rev\":$n,\"state-sha\":\"$(cat "$D/revisions/$n.sha")\"}]}"
    fi
    reply 200 '{"current":null,"revisions":[]}'
    ;;
  'POST /objects' | 'POST /objects/')
    f="$D/tmp/announce.$$"
    body_to "$f"
    sha=$(json_str "$f" sha256sum)
    size=$(json_str "$f" size)
    name=$(json_str "$f" objectname)
    rm -f "$f"
    is_sha "$sha" || fail 400 'sha256sum is not 64 lowercase hex digits'
    printf '%s' "$size" | grep -qx '[0-9]\{1,\}' || fail 400 'size is not a decimal number'
    if [ -f "$D/objects/$sha" ]; then
      reply 409 "$(record "$sha")" 'Pantahub-Object-Type: object'
    fi
    printf '%s' "$size" >"$D/announced/$sha"
    printf '%s' "$name" >"$D/records/$sha"
    reply 200 "{\"mime-type\":\"application/octet-stream\",\"objectname\":\"$name\",\"sha256sum\":\"$sha\",\"signed-puturl\":\"$HOSTURL$BASE/objects/$sha/blob\",\"size\":\"$size\"}"
    ;;
  'PUT /objects/'*/blob)
    sha=${P#/objects/}
    sha=${sha%/blob}
    is_sha "$sha" || fail 400 'the object name is not a sha256'
    [ -f "$D/announced/$sha" ] || fail 404 "object $sha was not announced"
    [ "$LEN" = "$(cat "$D/announced/$sha")" ] ||
      fail 422 "object $sha: $LEN bytes sent, $(cat "$D/announced/$sha") announced"
    f="$D/tmp/$sha.$$"
    body_to "$f"
    got=$(sha256sum "$f" | cut -d ' ' -f 1)
    if [ "$got" != "$sha" ]; then
      rm -f "$f"
      fail 422 "object content has sha256 $got, not $sha"
    fi
    mv "$f" "$D/objects/$sha"
    reply 200 "$(record "$sha")"
    ;;
  'GET /objects/'*/blob)
    sha=${P#/objects/}
    sha=${sha%/blob}
    is_sha "$sha" && [ -f "$D/objects/$sha" ] || fail 404 'no such object'
    printf 'HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: %s\r\n\r\n' \
      "$(($(wc -c <"$D/objects/$sha")))"
    cat "$D/objects/$sha"
    exit 0
    ;;
  'GET /objects/'*)
    sha=${P#/objects/}
    is_sha "$sha" && [ -f "$D/objects/$sha" ] || fail 404 'no such object'
    reply 200 "$(record "$sha")"
    ;;
  'POST /revisions')
    f="$D/tmp/envelope.$$"
    body_to "$f"
    # Canonical JSON sorts the keys, so "state" (after "commit-msg" and "rev") is the last member
    # of the envelope, and the first "state": outside a string is its key.
    state=$(awk '{ i = index($0, "\"state\":"); if (i) print substr($0, i + 8, length($0) - i - 8) }' "$f")
    rm -f "$f"
    case "$state" in
      '{'*'}') ;;
      *) fail 400 'the envelope has no "state" object (canonical JSON expected)' ;;
    esac
    missing=''
    for sha in $(printf '%s' "$state" | grep -o ':"[0-9a-f]\{64\}"' | tr -d ':"'); do
      [ -f "$D/objects/$sha" ] || missing="$missing $sha"
    done
    [ -z "$missing" ] || fail 422 "the state refers to objects this device does not have:$missing"
    n=0
    [ -f "$D/current" ] && n=$(cat "$D/current")
    n=$((n + 1))
    printf '%s' "$state" >"$D/revisions/$n.json"
    ssha=$(sha256sum "$D/revisions/$n.json" | cut -d ' ' -f 1)
    printf '%s' "$ssha" >"$D/revisions/$n.sha"
    printf '%s' "$n" >"$D/current"
    reply 200 "{\"rev\":$n,\"state-sha\":\"$ssha\",\"trail-id\":\"qemu-preview-standin\"}"
    ;;
  *)
    fail 404 "the stand-in has no $METHOD $URI"
    ;;
esac
