package files

import (
	"errors"
	"math"
	"testing"
)

func TestPolicyCheck(t *testing.T) {
	const gb = 1_000_000_000
	single := func(name string, size int64) *Manifest {
		return &Manifest{Name: name, ChunkSize: MinChunkSize, Entries: []Entry{{Path: name, Size: size}}}
	}
	folder := &Manifest{Name: "Project", Folder: true, ChunkSize: MinChunkSize, Entries: []Entry{
		{Path: "readme.txt", Size: 10},
		{Path: "bin/Setup.EXE", Size: 20},
	}}
	plenty := uint64(1000 * gb)
	tests := []struct {
		name    string
		policy  Policy
		m       *Manifest
		free    uint64
		want    error
		wantMsg string
	}{
		{"zero policy accepts", Policy{}, single("a.txt", 10), plenty, nil, ""},
		{"disabled", Policy{Disabled: true}, single("a.txt", 10), plenty, ErrRefused,
			"file transfer is turned off on this computer: refused by file policy"},
		{"blocked extension", Policy{BlockedExtensions: []string{".exe"}}, single("report.exe", 10), plenty, ErrRefused,
			"report.exe: .exe files are not accepted: refused by file policy"},
		{"blocked without dot, other case", Policy{BlockedExtensions: []string{"EXE"}}, single("report.Exe", 10), plenty, ErrRefused,
			"report.Exe: .exe files are not accepted: refused by file policy"},
		{"blocked inside folder", Policy{BlockedExtensions: []string{".bat", ".exe"}}, folder, plenty, ErrRefused,
			"Project/bin/Setup.EXE: .exe files are not accepted: refused by file policy"},
		{"multi-part extension", Policy{BlockedExtensions: []string{".tar.gz"}}, single("x.tar.gz", 1), plenty, ErrRefused,
			"x.tar.gz: .tar.gz files are not accepted: refused by file policy"},
		{"suffix is not an extension", Policy{BlockedExtensions: []string{".exe"}}, single("x.bexe", 1), plenty, nil, ""},
		{"empty blocked entry ignored", Policy{BlockedExtensions: []string{"", "."}}, single("x", 1), plenty, nil, ""},
		{"over size limit", Policy{MaxSize: 4 * gb}, single("big.iso", 12*gb), plenty, ErrRefused,
			"12.0 GB is more than the 4.0 GB limit: refused by file policy"},
		{"at size limit", Policy{MaxSize: 4 * gb}, single("big.iso", 4*gb), plenty, nil, ""},
		{"not enough space", Policy{KeepFree: 1}, single("big.iso", 100*gb-1), 20 * gb, ErrNoSpace,
			"not enough free space: 100 GB needed, 20.0 GB free: not enough free space"},
		{"default reserve counts", Policy{}, single("a", 1), DefaultKeepFree, ErrNoSpace,
			"not enough free space: 268 MB needed, 268 MB free: not enough free space"},
		{"fits with reserve", Policy{}, single("a", 1), DefaultKeepFree + 1, nil, ""},
		{"huge reserve does not overflow", Policy{KeepFree: math.MaxUint64}, single("a", 1), math.MaxUint64 - 1, ErrNoSpace, ""},
		{"nil manifest", Policy{}, nil, plenty, ErrRefused, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Check(tt.m, tt.free)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if tt.wantMsg != "" && err.Error() != tt.wantMsg {
				t.Errorf("message %q\nwant    %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

func TestHumanBytes(t *testing.T) {
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0 B"},
		{"bytes", 999, "999 B"},
		{"kilo", 1000, "1.0 kB"},
		{"one and a half giga", 1_500_000_000, "1.5 GB"},
		{"twelve giga", 12_000_000_000, "12.0 GB"},
		{"hundred giga", 100_000_000_000, "100 GB"},
		{"rounds up to next unit", 999_960_000, "1.0 GB"},
		{"rounds to 100", 99_960_000, "100 MB"},
		{"tera", 1 << 40, "1.1 TB"},
		{"max", math.MaxInt64, "9.2 EB"},
		{"negative", -1500, "-1.5 kB"},
		{"min", math.MinInt64, "-9.2 EB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HumanBytes(tt.n); got != tt.want {
				t.Errorf("HumanBytes(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
