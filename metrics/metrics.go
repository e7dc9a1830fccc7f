// Package metrics exposes Patchwork's operational figures in Prometheus's
// text format: request latency by route pattern, search latency, sign-in
// failures, emails sent and failed, the job queue's depth and oldest age,
// and the audit checkpoint's age. No label ever carries client data or a
// raw path: routes are the patterns of web/routes.go ("GET /clients/{id}").
//
// It is served on its own listener (serve --metrics-addr), never the public
// one.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"patchwork/mail"
	"patchwork/sqldb"
)

// Metrics holds one process's collectors.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.HistogramVec
	search       prometheus.Histogram
	signInFailed prometheus.Counter
	emails       *prometheus.CounterVec
}

// latencyBuckets suit pages whose targets are tens of milliseconds.
var latencyBuckets = []float64{.001, .0025, .005, .01, .015, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics of this process, with the database's queue and
// audit gauges read from db at each scrape.
func New(db *sqldb.DB) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "patchwork_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern, method and status code.",
			Buckets: latencyBuckets,
		}, []string{"route", "code"}),
		search: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "patchwork_search_duration_seconds",
			Help:    "Time to answer a client search (the search page's query, not the page).",
			Buckets: latencyBuckets,
		}),
		signInFailed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "patchwork_sign_in_failures_total",
			Help: "Sign-in attempts refused (wrong email or password, locked, throttled).",
		}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "patchwork_emails_total",
			Help: "Emails this process handed to the mail server (result sent) or failed to (result failed).",
		}, []string{"result"}),
	}
	m.emails.WithLabelValues("sent")
	m.emails.WithLabelValues("failed")
	m.reg.MustRegister(m.requests, m.search, m.signInFailed, m.emails,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&dbCollector{db: db})
	return m
}

// Handler serves the metrics in the text exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one answered request under its route pattern.
func (m *Metrics) ObserveRequest(route string, code int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Observe(d.Seconds())
}

// ObserveSearch records one client search.
func (m *Metrics) ObserveSearch(d time.Duration) { m.search.Observe(d.Seconds()) }

// SignInFailed counts one refused sign-in.
func (m *Metrics) SignInFailed() { m.signInFailed.Inc() }

// Sender wraps s so that every email it sends or fails to send is counted.
func (m *Metrics) Sender(s mail.Sender) mail.Sender {
	return mail.SenderFunc(func(ctx context.Context, msg *mail.Message) error {
		err := s.Send(ctx, msg)
		if err != nil {
			m.emails.WithLabelValues("failed").Inc()
		} else {
			m.emails.WithLabelValues("sent").Inc()
		}
		return err
	})
}

// dbCollector reads the queue and audit gauges from the database at each
// scrape, so every instance reports the same shared figures.
type dbCollector struct{ db *sqldb.DB }

var (
	descQueued = prometheus.NewDesc("patchwork_jobs_queued", "Background jobs waiting to run, due or not.", nil, nil)
	descDue    = prometheus.NewDesc("patchwork_jobs_due", "Background jobs whose time has come and that no worker has finished.", nil, nil)
	descOldest = prometheus.NewDesc("patchwork_jobs_oldest_due_age_seconds",
		"How long the oldest due job has waited; 0 when none is due.", nil, nil)
	descFailed     = prometheus.NewDesc("patchwork_jobs_failed", "Jobs that failed for good (emails among them), waiting for an admin.", nil, nil)
	descCheckpoint = prometheus.NewDesc("patchwork_audit_checkpoint_age_seconds",
		"Time since the audit chain's head was last signed.", nil, nil)
	descUp = prometheus.NewDesc("patchwork_database_up", "1 if the database answered the last scrape's queries, 0 if not.", nil, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueued, descDue, descOldest, descFailed, descCheckpoint, descUp} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s, err := c.db.OpsStats(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(s.QueuedJobs))
	ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(s.DueJobs))
	ch <- prometheus.MustNewConstMetric(descOldest, prometheus.GaugeValue, s.OldestDue.Seconds())
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.GaugeValue, float64(s.FailedJobs))
	if s.HasCheckpoint {
		ch <- prometheus.MustNewConstMetric(descCheckpoint, prometheus.GaugeValue, s.AuditCheckpointAge.Seconds())
	}
}
