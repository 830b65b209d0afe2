package main

import (
	"fmt"
	"time"

	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// wireRef is the JSON form of an ObjectReference exchanged with the runner.
type wireRef struct {
	Kind            string `json:"kind,omitempty"`
	Namespace       string `json:"namespace,omitempty"`
	Name            string `json:"name,omitempty"`
	UID             string `json:"uid,omitempty"`
	APIVersion      string `json:"apiVersion,omitempty"`
	ResourceVersion string `json:"resourceVersion,omitempty"`
	FieldPath       string `json:"fieldPath,omitempty"`
}

type wireMeta struct {
	Name            string            `json:"name,omitempty"`
	Namespace       string            `json:"namespace,omitempty"`
	ResourceVersion string            `json:"resourceVersion,omitempty"`
	Annotations     map[string]string `json:"annotations,omitempty"`
}

type wireSource struct {
	Component string `json:"component,omitempty"`
	Host      string `json:"host,omitempty"`
}

type wireSeries struct {
	Count            int32   `json:"count,omitempty"`
	LastObservedTime *string `json:"lastObservedTime,omitempty"`
}

// wireEvent is the neutral JSON form of a core/v1 Event used by the harness.
// Timestamps are ISO 8601 strings with millisecond precision (the precision a
// JavaScript Date carries); empty strings, zero counts and zero times are
// omitted so that "unset" and "zero" compare equal, as they do on the wire.
type wireEvent struct {
	Metadata           wireMeta    `json:"metadata"`
	InvolvedObject     wireRef     `json:"involvedObject"`
	Reason             string      `json:"reason,omitempty"`
	Message            string      `json:"message,omitempty"`
	Source             *wireSource `json:"source,omitempty"`
	FirstTimestamp     *string     `json:"firstTimestamp,omitempty"`
	LastTimestamp      *string     `json:"lastTimestamp,omitempty"`
	Count              int32       `json:"count,omitempty"`
	Type               string      `json:"type,omitempty"`
	EventTime          *string     `json:"eventTime,omitempty"`
	Series             *wireSeries `json:"series,omitempty"`
	Action             string      `json:"action,omitempty"`
	Related            *wireRef    `json:"related,omitempty"`
	ReportingComponent string      `json:"reportingComponent,omitempty"`
	ReportingInstance  string      `json:"reportingInstance,omitempty"`
}

const isoMillis = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(isoMillis)
	if t.Nanosecond()%int(time.Millisecond) != 0 {
		// Sub-millisecond instants cannot be represented by a JavaScript Date;
		// make them visible instead of silently rounding.
		s = t.UTC().Format(time.RFC3339Nano)
	}
	return &s
}

func parseTime(s *string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, *s)
}

func refFromWire(w wireRef) v1.ObjectReference {
	return v1.ObjectReference{
		Kind: w.Kind, Namespace: w.Namespace, Name: w.Name, UID: types.UID(w.UID),
		APIVersion: w.APIVersion, ResourceVersion: w.ResourceVersion, FieldPath: w.FieldPath,
	}
}

func refToWire(r v1.ObjectReference) wireRef {
	return wireRef{
		Kind: r.Kind, Namespace: r.Namespace, Name: r.Name, UID: string(r.UID),
		APIVersion: r.APIVersion, ResourceVersion: r.ResourceVersion, FieldPath: r.FieldPath,
	}
}

func eventFromWire(w *wireEvent) (*v1.Event, error) {
	e := &v1.Event{
		ObjectMeta: metav1.ObjectMeta{
			Name: w.Metadata.Name, Namespace: w.Metadata.Namespace,
			ResourceVersion: w.Metadata.ResourceVersion, Annotations: w.Metadata.Annotations,
		},
		InvolvedObject:      refFromWire(w.InvolvedObject),
		Reason:              w.Reason,
		Message:             w.Message,
		Count:               w.Count,
		Type:                w.Type,
		Action:              w.Action,
		ReportingController: w.ReportingComponent,
		ReportingInstance:   w.ReportingInstance,
	}
	if w.Source != nil {
		e.Source = v1.EventSource{Component: w.Source.Component, Host: w.Source.Host}
	}
	for _, p := range []struct {
		in  *string
		out *metav1.Time
	}{{w.FirstTimestamp, &e.FirstTimestamp}, {w.LastTimestamp, &e.LastTimestamp}} {
		t, err := parseTime(p.in)
		if err != nil {
			return nil, err
		}
		if !t.IsZero() {
			*p.out = metav1.NewTime(t)
		}
	}
	if t, err := parseTime(w.EventTime); err != nil {
		return nil, err
	} else if !t.IsZero() {
		e.EventTime = metav1.NewMicroTime(t)
	}
	if w.Series != nil {
		t, err := parseTime(w.Series.LastObservedTime)
		if err != nil {
			return nil, err
		}
		e.Series = &v1.EventSeries{Count: w.Series.Count, LastObservedTime: metav1.NewMicroTime(t)}
	}
	if w.Related != nil {
		r := refFromWire(*w.Related)
		e.Related = &r
	}
	return e, nil
}

func eventToWire(e *v1.Event) *wireEvent {
	w := &wireEvent{
		Metadata: wireMeta{
			Name: e.Name, Namespace: e.Namespace, ResourceVersion: e.ResourceVersion,
		},
		InvolvedObject:     refToWire(e.InvolvedObject),
		Reason:             e.Reason,
		Message:            e.Message,
		FirstTimestamp:     formatTime(e.FirstTimestamp.Time),
		LastTimestamp:      formatTime(e.LastTimestamp.Time),
		Count:              e.Count,
		Type:               e.Type,
		EventTime:          formatTime(e.EventTime.Time),
		Action:             e.Action,
		ReportingComponent: e.ReportingController,
		ReportingInstance:  e.ReportingInstance,
	}
	if len(e.Annotations) > 0 {
		w.Metadata.Annotations = e.Annotations
	}
	if e.Source.Component != "" || e.Source.Host != "" {
		w.Source = &wireSource{Component: e.Source.Component, Host: e.Source.Host}
	}
	if e.Series != nil {
		w.Series = &wireSeries{Count: e.Series.Count, LastObservedTime: formatTime(e.Series.LastObservedTime.Time)}
	}
	if e.Related != nil {
		r := refToWire(*e.Related)
		w.Related = &r
	}
	return w
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(fmt.Sprintf("bad time %q: %v", s, err))
	}
	return t
}
