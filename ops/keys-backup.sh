#!/usr/bin/env bash
# Backups of the key files, apart from the database backups: the field-encryption key ring, the
# blind-index key, the token keys and the page-token key (docs/keys.md). A database backup is
# useless without the keys that encrypted it, and the keys must never travel with it. The files
# go into one tar archive with a manifest of their SHA-256 sums, encrypted with GnuPG
# (symmetric AES-256, the passphrase from a file). See docs/operations.md#key-ring-backups.
set -euo pipefail

usage() {
  cat <<'USAGE'
usage: ops/keys-backup.sh backup  --keys-dir DIR --out FILE --passphrase-file FILE [--file NAME]...
       ops/keys-backup.sh restore --in FILE --passphrase-file FILE --to DIR [--owner USER]
       ops/keys-backup.sh verify  --in FILE --passphrase-file FILE [--keys-dir DIR]

  backup   puts the key files of DIR and a MANIFEST of their SHA-256 sums into an archive,
           encrypts it (gpg --symmetric, AES-256) into FILE (FILE.sha256 beside it holds the
           encrypted file's own sum, to check copies), then decrypts it again and checks it.
           Files, unless --file names them: field-keys and blind-index.key (required),
           token-signing.pem, token-public.pem and page-token.key (each when present).
  restore  decrypts FILE, checks every file against the MANIFEST and only then writes them into
           DIR, a new or empty folder: mode 600 (public keys 644), owned by USER if given
  verify   decrypts FILE and checks it against its MANIFEST, writing no key anywhere; with
           --keys-dir also says whether the archive holds the same keys as DIR (after a key
           rotation it no longer does: make a new backup)

The passphrase file holds one line of at least 20 characters and must not be readable by group or
others. Keep it apart from the encrypted archive, and both apart from the database backups
(docs/operations.md#key-ring-backups). A wrong passphrase, or a damaged or altered archive, ends
with exit status 1 and nothing written.
USAGE
}

die() { echo "keys-backup.sh: $*" >&2; exit 1; }
usage_error() { echo "keys-backup.sh: $*" >&2; usage >&2; exit 2; }

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
CMD=$1
shift
case "$CMD" in
  backup|restore|verify) ;;
  -h|--help|help) usage; exit 0 ;;
  *) usage_error "unknown command: $CMD" ;;
esac

KEYS_DIR="" OUT="" IN="" PASSFILE="" TO="" OWNER="" FILES=()
while [[ $# -gt 0 ]]; do
  case "$1" in -h|--help) usage; exit 0 ;; esac
  [[ $# -ge 2 ]] || usage_error "$1 needs a value"
  case "$1" in
    --keys-dir) KEYS_DIR=$2 ;;
    --out) OUT=$2 ;;
    --in) IN=$2 ;;
    --passphrase-file) PASSFILE=$2 ;;
    --to) TO=$2 ;;
    --owner) OWNER=$2 ;;
    --file) FILES+=("$2") ;;
    *) usage_error "unknown option: $1" ;;
  esac
  shift 2
done

REQUIRED_DEFAULT=(field-keys blind-index.key)
OPTIONAL_DEFAULT=(token-signing.pem token-public.pem page-token.key)
ARCHIVE_DIR=consular-keys  # the folder inside the archive

command -v gpg >/dev/null || die "gpg not found; run ops/install-deps.sh (package gnupg)"
[[ -n $PASSFILE ]] || usage_error "--passphrase-file is required"
[[ -f $PASSFILE && -r $PASSFILE ]] || die "cannot read the passphrase file $PASSFILE"
if [[ $(( 8#$(stat -c %a "$PASSFILE") & 8#077 )) -ne 0 ]]; then
  die "$PASSFILE may be read by its group or others: chmod 600 it"
fi
passphrase_length=$(head -n 1 "$PASSFILE" | tr -d '\r\n' | wc -m)
(( passphrase_length >= 20 )) || die "the passphrase in $PASSFILE is shorter than 20 characters"

umask 077
# Decrypted keys exist only in this folder, in memory when /dev/shm is there, removed on exit.
SCRATCH_PARENT=${TMPDIR:-/tmp}
[[ -d /dev/shm && -w /dev/shm ]] && SCRATCH_PARENT=/dev/shm
SCRATCH=$(mktemp -d "$SCRATCH_PARENT/consular-keys.XXXXXX")
export GNUPGHOME=$SCRATCH/gnupg
mkdir -m 700 "$GNUPGHOME"
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  local status=$?
  gpgconf --homedir "$GNUPGHOME" --kill gpg-agent >/dev/null 2>&1 || true
  rm -rf "$SCRATCH"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

GPG=(gpg --batch --quiet --no-tty --yes --pinentry-mode loopback --no-symkey-cache
     --passphrase-file "$PASSFILE")

# Decrypts FILE and unpacks it into $SCRATCH/out/$ARCHIVE_DIR; checks the MANIFEST: every file it
# names is there with its sum, and nothing else is. Dies, naming the problem, otherwise.
open_archive() {  # FILE
  local file=$1 out=$SCRATCH/out
  [[ -f $file && -r $file ]] || die "cannot read $file"
  if ! "${GPG[@]}" --decrypt --output "$SCRATCH/archive.tar" "$file" 2>"$SCRATCH/gpg.err"; then
    die "cannot decrypt $file: wrong passphrase, or the archive is damaged
  $(grep -v '^$' "$SCRATCH/gpg.err" | tail -n 1)"
  fi
  # Only plain files directly inside the archive's one folder.
  local entry
  while IFS= read -r entry; do
    [[ $entry == "$ARCHIVE_DIR/" || $entry =~ ^$ARCHIVE_DIR/[A-Za-z0-9._-]+$ ]] \
      || die "$file holds an unexpected entry: $entry"
  done < <(tar -tf "$SCRATCH/archive.tar")
  mkdir -p "$out"
  tar -xf "$SCRATCH/archive.tar" -C "$out" --no-same-owner --no-same-permissions
  local dir=$out/$ARCHIVE_DIR
  [[ -f $dir/MANIFEST ]] || die "$file has no MANIFEST"
  if ! (cd "$dir" && sha256sum --check --strict --quiet MANIFEST >"$SCRATCH/sums.out" 2>&1); then
    die "$file: files differ from its MANIFEST:
$(sed 's/^/  /' "$SCRATCH/sums.out")"
  fi
  local name listed
  listed=$(awk '{ print $2 }' "$dir/MANIFEST")
  for name in "$dir"/* "$dir"/.[!.]*; do
    [[ -e $name ]] || continue
    name=${name##*/}
    [[ $name == MANIFEST || $name == INFO ]] && continue
    grep -qxF "$name" <<<"$listed" || die "$file holds $name, which its MANIFEST does not list"
  done
  OPENED=$dir
}

mode_of() {  # NAME: the mode a restored key file gets
  case "$1" in
    *public*) echo 644 ;;
    *) echo 600 ;;
  esac
}

cmd_backup() {
  [[ -n $KEYS_DIR ]] || usage_error "backup needs --keys-dir"
  [[ -n $OUT ]] || usage_error "backup needs --out"
  [[ -d $KEYS_DIR ]] || die "no folder $KEYS_DIR"
  [[ -e $OUT ]] && die "$OUT exists already; choose a new name (e.g. with the date)"
  local names=() name
  if [[ ${#FILES[@]} -gt 0 ]]; then
    for name in "${FILES[@]}"; do
      [[ $name =~ ^[A-Za-z0-9._-]+$ && $name != MANIFEST && $name != INFO ]] \
        || die "--file takes a file name inside --keys-dir, not $name"
      [[ -f $KEYS_DIR/$name ]] || die "missing: $KEYS_DIR/$name"
      names+=("$name")
    done
  else
    for name in "${REQUIRED_DEFAULT[@]}"; do
      [[ -f $KEYS_DIR/$name ]] || die "missing: $KEYS_DIR/$name (give --file NAME to choose the files)"
      names+=("$name")
    done
    for name in "${OPTIONAL_DEFAULT[@]}"; do
      if [[ -f $KEYS_DIR/$name ]]; then names+=("$name"); else echo "keys-backup: no $name (left out)"; fi
    done
  fi
  local stage=$SCRATCH/stage/$ARCHIVE_DIR
  mkdir -p "$stage"
  for name in "${names[@]}"; do cp -- "$KEYS_DIR/$name" "$stage/$name"; done
  (cd "$stage" && sha256sum -- "${names[@]}" >MANIFEST)
  {
    echo "created $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
    echo "files ${names[*]}"
  } >"$stage/INFO"
  tar -cf "$SCRATCH/archive.tar" -C "$SCRATCH/stage" --owner=0 --group=0 --numeric-owner \
    --sort=name "$ARCHIVE_DIR"
  mkdir -p "$(dirname "$OUT")"
  local tmp
  tmp=$(mktemp "$(dirname "$OUT")/.$(basename "$OUT").XXXXXX")
  if ! "${GPG[@]}" --symmetric --cipher-algo AES256 --s2k-mode 3 --s2k-digest-algo SHA512 \
         --s2k-count 65011712 --compress-algo none --output "$tmp" "$SCRATCH/archive.tar" \
         2>"$SCRATCH/gpg.err"; then
    rm -f "$tmp"
    die "gpg could not encrypt: $(tail -n 1 "$SCRATCH/gpg.err")"
  fi
  # A backup is only kept once it has been read back.
  rm -rf "$SCRATCH/stage" "$SCRATCH/archive.tar"
  open_archive "$tmp"
  chmod 600 "$tmp"
  mv -f "$tmp" "$OUT"
  (cd "$(dirname "$OUT")" && sha256sum -- "$(basename "$OUT")" >"$(basename "$OUT").sha256")
  echo "keys-backup: wrote $OUT (${#names[@]} files: ${names[*]}), decrypted and checked it again"
  echo "keys-backup: $(cat "$OUT.sha256")"
}

cmd_restore() {
  [[ -n $IN ]] || usage_error "restore needs --in"
  [[ -n $TO ]] || usage_error "restore needs --to"
  if [[ -e $TO ]] && [[ ! -d $TO || -n $(ls -A "$TO") ]]; then
    die "$TO exists and is not empty: restore into a new folder, then move the files into place"
  fi
  if [[ -n $OWNER ]]; then
    id "$OWNER" >/dev/null 2>&1 || die "no user $OWNER"
  fi
  open_archive "$IN"
  local names name
  names=$(awk '{ print $2 }' "$OPENED/MANIFEST")
  # Written into a folder beside TO first, which then takes TO's name: all files or none.
  local parent tmp
  parent=$(dirname "$(realpath -m -- "$TO")")
  mkdir -p "$parent"
  tmp=$(mktemp -d "$parent/.keys-restore.XXXXXX")
  for name in $names; do
    install -m "$(mode_of "$name")" -- "$OPENED/$name" "$tmp/$name"
    [[ -n $OWNER ]] && chown "$OWNER:" "$tmp/$name"
  done
  chmod 700 "$tmp"
  [[ -n $OWNER ]] && chown "$OWNER:" "$tmp"
  [[ -d $TO ]] && rmdir "$TO"
  mv -T "$tmp" "$TO"
  echo "keys-backup: restored into $TO: $(tr '\n' ' ' <<<"$names")(every SHA-256 as in the MANIFEST; $(sed -n 's/^created //p' "$OPENED/INFO" 2>/dev/null || echo "date unknown"))"
}

cmd_verify() {
  [[ -n $IN ]] || usage_error "verify needs --in"
  open_archive "$IN"
  local names count created
  names=$(awk '{ print $2 }' "$OPENED/MANIFEST")
  count=$(wc -l <"$OPENED/MANIFEST")
  created=$(sed -n 's/^created //p' "$OPENED/INFO" 2>/dev/null || true)
  echo "keys-backup: $IN decrypts and matches its MANIFEST: $count files ($(tr '\n' ' ' <<<"$names" | sed 's/ $//')), made ${created:-at an unknown time}"
  [[ -n $KEYS_DIR ]] || return 0
  local name differs=()
  for name in $names; do
    if [[ ! -f $KEYS_DIR/$name ]]; then
      differs+=("$name (not in $KEYS_DIR)")
    elif ! cmp -s "$OPENED/$name" "$KEYS_DIR/$name"; then
      differs+=("$name")
    fi
  done
  if [[ ${#differs[@]} -eq 0 ]]; then
    echo "keys-backup: the archive holds the same keys as $KEYS_DIR"
  else
    echo "keys-backup: the archive differs from $KEYS_DIR in: ${differs[*]}: make a new key backup" >&2
    exit 1
  fi
}

case "$CMD" in
  backup) cmd_backup ;;
  restore) cmd_restore ;;
  verify) cmd_verify ;;
esac
