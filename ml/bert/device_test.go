package bert

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

func TestParseDevice(t *testing.T) {
	tests := []struct {
		in      string
		want    Device
		wantErr bool
	}{
		{"", DeviceAuto, false},
		{"auto", DeviceAuto, false},
		{"cpu", DeviceCPU, false},
		{"CPU", DeviceCPU, false},
		{" cuda ", DeviceCUDA, false},
		{"gpu", "", true},
		{"cuda:0", "", true},
	}
	for _, tt := range tests {
		got, err := ParseDevice(tt.in)
		if tt.wantErr {
			if err == nil || !strings.Contains(err.Error(), "use cuda, cpu or auto") {
				t.Errorf("ParseDevice(%q) error = %v, want an error that lists the devices", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDevice(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDevice(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewRandomRejectsInvalidDevice(t *testing.T) {
	_, err := NewRandom(tinyConfig(), 1, DefaultOptions().WithDevice("tpu"))
	if err == nil || !strings.Contains(err.Error(), `invalid device "tpu"`) {
		t.Fatalf("NewRandom with device tpu: error = %v, want invalid device", err)
	}
}

// TestDeviceFallbackWithoutCUDA checks the device choice of a build
// without the cuda tag: every device runs on the CPU, and only an explicit
// cuda request logs, with one warning line.
func TestDeviceFallbackWithoutCUDA(t *testing.T) {
	if cudaCompiled {
		t.Skip("built with the cuda tag")
	}
	tests := []struct {
		device  Device
		wantLog string
	}{
		{DeviceAuto, ""},
		{DeviceCPU, ""},
		{DeviceCUDA, "CUDA support is not compiled in (build with -tags cuda); using the CPU"},
	}
	var reference []float32
	for _, tt := range tests {
		t.Run(string(tt.device), func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			m, err := NewRandom(tinyConfig(), 1, DefaultOptions().WithDevice(tt.device).WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			if m.Device() != DeviceCPU {
				t.Errorf("Device() = %q, want %q", m.Device(), DeviceCPU)
			}
			output := strings.TrimSpace(logs.String())
			if tt.wantLog == "" {
				if output != "" {
					t.Errorf("logged %q, want nothing", output)
				}
			} else {
				if lines := strings.Split(output, "\n"); len(lines) != 1 {
					t.Errorf("logged %d lines %q, want 1", len(lines), output)
				}
				if !strings.Contains(output, "level=WARN") || !strings.Contains(output, tt.wantLog) {
					t.Errorf("logged %q, want a warning with %q", output, tt.wantLog)
				}
			}

			vectors, err := m.Embed(context.Background(), Batch{IDs: [][]int32{{1, 7, 9, 2}}})
			if err != nil {
				t.Fatal(err)
			}
			if reference == nil {
				reference = vectors[0]
			} else if !slices.Equal(vectors[0], reference) {
				t.Errorf("vector differs from the %s model's", DeviceAuto)
			}
		})
	}
}
