package migrations

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing/fstest"
)

// ErrGit wraps every error of reading a released state from git: no git
// binary, a directory outside a git work tree, a revision that does not
// exist.
var ErrGit = errors.New("migrations: git")

// GitFS returns the migrations root dir as it is at git revision rev: its
// .sql files and chschema.sum, read with the git binary (git rev-parse,
// ls-tree and cat-file). dir is a directory of a git work tree, anywhere in
// it (a subdirectory of the repository is the usual case), relative to the
// working directory or absolute; the returned FS is rooted at the same
// directory as of rev. A directory that did not exist at rev is an empty FS.
// Symlinks are kept as symlinks (ReadFile refuses them), submodules are
// left out.
func GitFS(ctx context.Context, dir, rev string) (fs.FS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGit, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrGit, dir)
	}
	top, err := git(ctx, abs, nil, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not in a git work tree (the released state is read with git): %v", ErrGit, dir, err)
	}
	prefix, err := git(ctx, abs, nil, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGit, err)
	}
	root := strings.TrimSpace(string(top))
	if strings.HasPrefix(rev, "-") || rev == "" {
		return nil, fmt.Errorf("%w: invalid revision %q", ErrGit, rev)
	}
	commit, err := git(ctx, root, nil, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("%w: revision %q does not exist in the repository at %s (in CI, fetch it first: actions/checkout with fetch-depth: 0)", ErrGit, rev, root)
	}
	sub := strings.TrimSuffix(strings.TrimSpace(string(prefix)), "/")
	args := []string{"ls-tree", "-r", "-z", "-l", "--full-tree", strings.TrimSpace(string(commit))}
	if sub != "" {
		args = append(args, "--", sub+"/")
	}
	listing, err := git(ctx, root, nil, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGit, err)
	}
	fsys := fstest.MapFS{}
	var blobs []string // object IDs to read, in order
	var names []string
	for _, rec := range bytes.Split(listing, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, p, ok := strings.Cut(string(rec), "\t")
		f := strings.Fields(meta)
		if !ok || len(f) != 4 {
			return nil, fmt.Errorf("%w: unexpected git ls-tree output %q", ErrGit, rec)
		}
		mode, kind, oid, size := f[0], f[1], f[2], f[3]
		name := p
		if sub != "" {
			name = strings.TrimPrefix(p, sub+"/")
		}
		if kind != "blob" || !(path.Ext(name) == ".sql" || name == SumFileName) {
			continue
		}
		switch mode {
		case "120000":
			fsys[name] = &fstest.MapFile{Mode: fs.ModeSymlink}
		case "100644", "100755":
			if n, err := strconv.ParseInt(size, 10, 64); err == nil && n > MaxFileSize {
				fsys[name] = &fstest.MapFile{Data: make([]byte, MaxFileSize+1)} // ReadFile says it is too large
				continue
			}
			blobs = append(blobs, oid)
			names = append(names, name)
		}
	}
	if len(blobs) == 0 {
		return fsys, nil
	}
	out, err := git(ctx, root, strings.NewReader(strings.Join(blobs, "\n")+"\n"), "cat-file", "--batch")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrGit, err)
	}
	r := bufio.NewReader(bytes.NewReader(out))
	for i := range blobs {
		header, err := r.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("%w: git cat-file: %v", ErrGit, err)
		}
		f := strings.Fields(header)
		if len(f) != 3 || f[1] != "blob" {
			return nil, fmt.Errorf("%w: git cat-file: unexpected %q", ErrGit, strings.TrimSpace(header))
		}
		n, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("%w: git cat-file: unexpected %q", ErrGit, strings.TrimSpace(header))
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return nil, fmt.Errorf("%w: git cat-file: %v", ErrGit, err)
		}
		if _, err := r.Discard(1); err != nil { // the newline after the contents
			return nil, fmt.Errorf("%w: git cat-file: %v", ErrGit, err)
		}
		fsys[names[i]] = &fstest.MapFile{Data: data}
	}
	return fsys, nil
}

// git runs the git binary in dir and returns its standard output.
func git(ctx context.Context, dir string, stdin io.Reader, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	cmd.Stdin = stdin
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// GitBase is the released state at git revision rev of the migrations root
// dir (see GitFS): its chschema.sum and its files. A root that had no
// chschema.sum at rev released nothing: the Base has no Sum.
func GitBase(ctx context.Context, dir, rev string) (*Base, error) {
	fsys, err := GitFS(ctx, dir, rev)
	if err != nil {
		return nil, err
	}
	b := &Base{Files: fsys, Name: rev}
	if _, err := fs.Stat(fsys, SumFileName); errors.Is(err, fs.ErrNotExist) {
		return b, nil
	}
	data, err := ReadFile(fsys, SumFileName, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("chschema.sum at %s: %w", rev, err)
	}
	if b.Sum, err = ParseSumFile(data); err != nil {
		return nil, fmt.Errorf("chschema.sum at %s cannot be used as the released state:\n%w", rev, err)
	}
	return b, nil
}

// SumBase is the released state recorded in the sum file at path (for CI
// systems that fetch the released chschema.sum another way): the hashes
// only, without the released bytes.
func SumBase(path string) (*Base, error) {
	data, err := ReadFile(DirFS(filepath.Dir(path)), filepath.Base(path), MaxFileSize)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, fmt.Errorf("%s: %s", path, e.Msg)
		}
		return nil, err
	}
	sf, err := ParseSumFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s cannot be used as the released state:\n%w", path, err)
	}
	return &Base{Sum: sf, Name: path}, nil
}
