package storage

import (
	"context"
	"fmt"
	"testing"
)

func TestSizeCountsAllocatedBlocks(t *testing.T) {
	s := openTemp(t)
	var products []Product
	for i := range 200 {
		products = append(products, sampleProduct(fmt.Sprintf("p%03d", i), "electronics"))
	}
	if err := s.PutProducts(context.Background(), products); err != nil {
		t.Fatal(err)
	}
	lsm, vlog := s.Size()
	// Badger preallocates the value log sparsely at 2 GiB; the blocks in
	// use after a few writes are far fewer, and some are in use at once.
	if vlog <= 0 || vlog > 64<<20 {
		t.Errorf("vlog size = %d bytes, want between 1 byte and 64 MiB", vlog)
	}
	if lsm < 0 {
		t.Errorf("lsm size = %d bytes, want at least 0", lsm)
	}
}

func TestSizeInMemory(t *testing.T) {
	s := openMem(t)
	if lsm, vlog := s.Size(); lsm != 0 || vlog != 0 {
		t.Errorf("Size = %d, %d; want 0, 0 for an in-memory store", lsm, vlog)
	}
}
