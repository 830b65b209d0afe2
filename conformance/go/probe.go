package main

// Read-only (and, for steering, minimal write) access to the aggregator's
// private LRU inside client-go's EventCorrelator. client-go exposes no way to
// see which local key PopAny removed, so the harness mirrors the private
// struct layouts and verifies them against the real types with reflection at
// start-up: a client-go upgrade that changes a layout fails loudly instead of
// reading garbage.

import (
	"container/list"
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

type mirrorCorrelator struct {
	filterFunc record.EventFilterFunc
	aggregator *mirrorAggregator
	logger     *struct{}
}

type mirrorAggregator struct {
	sync.RWMutex
	cache                *mirrorLRU
	keyFunc              record.EventAggregatorKeyFunc
	messageFunc          record.EventAggregatorMessageFunc
	maxEvents            uint
	maxIntervalInSeconds uint
	clock                clock.PassiveClock
}

type mirrorLRU struct {
	cache *mirrorGroupLRU
	lock  sync.RWMutex
}

type mirrorGroupLRU struct {
	MaxEntries int
	OnEvicted  func(key lru.Key, value interface{})
	ll         *list.List
	cache      map[interface{}]*list.Element
}

type mirrorEntry struct {
	key   lru.Key
	value interface{}
}

type mirrorAggregateRecord struct {
	localKeys     sets.Set[string]
	lastTimestamp metav1.Time
}

func ifaceData(p *interface{}) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(p))[1]
}

func sameLayout(real, mirror reflect.Type) error {
	if real.Kind() != reflect.Struct || mirror.Kind() != reflect.Struct {
		return fmt.Errorf("%v / %v: not structs", real, mirror)
	}
	if real.Size() != mirror.Size() || real.NumField() != mirror.NumField() {
		return fmt.Errorf("%v: size/field count differs from mirror %v", real, mirror)
	}
	for i := 0; i < real.NumField(); i++ {
		a, b := real.Field(i), mirror.Field(i)
		if a.Name != b.Name || a.Offset != b.Offset || a.Type.Size() != b.Type.Size() || a.Type.Kind() != b.Type.Kind() {
			return fmt.Errorf("%v.%s does not match mirror field %s", real, a.Name, b.Name)
		}
	}
	return nil
}

var layoutOnce sync.Once
var layoutErr error

func checkStaticLayouts() error {
	layoutOnce.Do(func() {
		corr := reflect.TypeOf(record.EventCorrelator{})
		if layoutErr = sameLayout(corr, reflect.TypeOf(mirrorCorrelator{})); layoutErr != nil {
			return
		}
		agg := reflect.TypeOf(record.EventAggregator{})
		if layoutErr = sameLayout(agg, reflect.TypeOf(mirrorAggregator{})); layoutErr != nil {
			return
		}
		l := reflect.TypeOf(lru.Cache{})
		if layoutErr = sameLayout(l, reflect.TypeOf(mirrorLRU{})); layoutErr != nil {
			return
		}
		layoutErr = sameLayout(l.Field(0).Type.Elem(), reflect.TypeOf(mirrorGroupLRU{}))
	})
	return layoutErr
}

var dynamicChecked bool

// peekAggregate returns the aggregator's record for aggregateKey without
// touching the LRU order, or nil when there is none.
func peekAggregate(c *record.EventCorrelator, aggregateKey string) (*mirrorAggregateRecord, error) {
	if err := checkStaticLayouts(); err != nil {
		return nil, err
	}
	m := (*mirrorCorrelator)(unsafe.Pointer(c))
	el, ok := m.aggregator.cache.cache.cache[aggregateKey]
	if !ok {
		return nil, nil
	}
	if !dynamicChecked {
		if err := sameLayout(reflect.TypeOf(el.Value).Elem(), reflect.TypeOf(mirrorEntry{})); err != nil {
			return nil, err
		}
	}
	ent := (*mirrorEntry)(ifaceData(&el.Value))
	if !dynamicChecked {
		rt := reflect.TypeOf(ent.value)
		if rt.Name() != "aggregateRecord" {
			return nil, fmt.Errorf("unexpected aggregator value type %v", rt)
		}
		if err := sameLayout(rt, reflect.TypeOf(mirrorAggregateRecord{})); err != nil {
			return nil, err
		}
		dynamicChecked = true
	}
	return (*mirrorAggregateRecord)(ifaceData(&ent.value)), nil
}
