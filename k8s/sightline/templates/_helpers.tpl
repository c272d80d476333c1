{{/* Chart name, shortened to the 63 characters Kubernetes names allow. */}}
{{- define "sightline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every resource name: <release>-<chart>, unless overridden. */}}
{{- define "sightline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Streams apps: values key and service name. */}}
{{- define "sightline.streamsApps" -}}
enrich: enrich-processor
aggregate: aggregate-processor
anomaly: anomaly-processor
serving: serving-api
{{- end }}

{{/* Every workload: values key and service name. */}}
{{- define "sightline.allApps" -}}
gateway: ingest-gateway
{{ include "sightline.streamsApps" . }}
{{- end }}

{{/* Labels on every resource. Call with (dict "root" $ "component" "<service>"). */}}
{{- define "sightline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: sightline
{{ include "sightline.selectorLabels" . }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "sightline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sightline.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* The pinned image; `latest` or an empty tag fails the render. */}}
{{- define "sightline.image" -}}
{{- $tag := toString .Values.image.tag }}
{{- if or (eq $tag "") (eq $tag "latest") }}
{{- fail "image.tag must pin a version: `latest` and empty tags make rollouts unrepeatable" }}
{{- end }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}

{{/* A setting name a.b-c as its environment variable SIGHTLINE_A_B_C. */}}
{{- define "sightline.envName" -}}
{{- printf "SIGHTLINE_%s" (. | upper | replace "." "_" | replace "-" "_") }}
{{- end }}

{{/* How every container reaches Kafka, including SASL and TLS from existing Secrets. */}}
{{- define "sightline.kafkaEnv" -}}
- name: SIGHTLINE_KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: SIGHTLINE_KAFKA_SECURITY_PROTOCOL
  value: {{ .Values.kafka.securityProtocol | quote }}
{{- if .Values.kafka.sasl.mechanism }}
{{- if not .Values.kafka.sasl.existingSecret }}
{{- fail "kafka.sasl.mechanism is set: name the Secret holding the JAAS config in kafka.sasl.existingSecret" }}
{{- end }}
- name: SIGHTLINE_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: SIGHTLINE_KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.jaasConfigKey }}
{{- end }}
{{- if .Values.kafka.tls.enabled }}
{{- if not .Values.kafka.tls.existingSecret }}
{{- fail "kafka.tls.enabled: name the Secret holding the CA certificate in kafka.tls.existingSecret" }}
{{- end }}
- name: SIGHTLINE_KAFKA_SSL_TRUSTSTORE_TYPE
  value: PEM
- name: SIGHTLINE_KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/sightline/kafka-tls/{{ .Values.kafka.tls.caKey }}
{{- end }}
{{- range $property, $value := .Values.kafka.properties }}
- name: {{ include "sightline.envName" (printf "kafka.%s" $property) }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Kafka, schema registry and JVM settings of a service container. Call with (dict "root" $ "app" <values of the app>). */}}
{{- define "sightline.serviceEnv" -}}
{{ include "sightline.kafkaEnv" .root }}
- name: SIGHTLINE_SCHEMA_REGISTRY_URL
  value: {{ .root.Values.schemaRegistry.url | quote }}
{{- with .root.Values.schemaRegistry.auth.existingSecret }}
- name: SIGHTLINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.root.Values.schemaRegistry.auth.userInfoKey }}
{{- end }}
- name: SIGHTLINE_HTTP_PORT
  value: {{ .app.port | quote }}
{{- if .root.Values.config }}
- name: SIGHTLINE_CONFIG_FILE
  value: /etc/sightline/config/sightline.yaml
{{- end }}
- name: JAVA_OPTS
  value: {{ printf "-XX:MaxRAMPercentage=%v -XX:+ExitOnOutOfMemoryError -XX:+Use%sGC -Djava.io.tmpdir=/tmp" .app.maxRamPercentage (.app.garbageCollector | default "G1") | quote }}
{{- range $setting, $value := .app.settings }}
{{- if has $setting (list "kafka.bootstrap.servers" "schema.registry.url" "schema.registry.basic.auth.user.info" "http.port" "state.dir" "write.keys" "advertised.endpoint") }}
{{- fail (printf "settings.%s is set by the chart from its own values (see values.yaml); remove it from settings" $setting) }}
{{- end }}
- name: {{ include "sightline.envName" $setting }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* Pod-level security: non-root with the image's uid, RuntimeDefault seccomp. */}}
{{- define "sightline.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security: read-only root filesystem, no privilege escalation, no capabilities. */}}
{{- define "sightline.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end }}

{{/*
Probes. Readiness is /health/ready (Streams RUNNING; gateway: Kafka reachable). Liveness is
/health/live, true through REBALANCING and restoration, so a rebalance never restarts a pod.
The startup probe holds liveness off while the JVM starts.
*/}}
{{- define "sightline.probes" -}}
startupProbe:
  httpGet: {path: /health/live, port: http}
  periodSeconds: {{ .startupProbe.periodSeconds }}
  failureThreshold: {{ .startupProbe.failureThreshold }}
  timeoutSeconds: 3
livenessProbe:
  httpGet: {path: /health/live, port: http}
  periodSeconds: 10
  failureThreshold: 6
  timeoutSeconds: 3
readinessProbe:
  httpGet: {path: /health/ready, port: http}
  periodSeconds: 5
  failureThreshold: 3
  timeoutSeconds: 3
{{- end }}

{{/* Volumes every pod has: a writable /tmp (the root filesystem is read-only) and the Kafka CA. */}}
{{- define "sightline.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi

{{- if .Values.kafka.tls.enabled }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.existingSecret }}
{{- end }}
{{- end }}

{{- define "sightline.volumeMounts" -}}
- name: tmp
  mountPath: /tmp

{{- if .Values.kafka.tls.enabled }}
- name: kafka-tls
  mountPath: /etc/sightline/kafka-tls
  readOnly: true
{{- end }}
{{- end }}

{{- define "sightline.writeKeysSecret" -}}
{{- default (printf "%s-write-keys" (include "sightline.fullname" .)) .Values.writeKeys.existingSecret }}
{{- end }}

{{/* Rolls the pods when the configuration file changes: a mounted ConfigMap is read only at start. */}}
{{- define "sightline.configChecksum" -}}
{{- if .Values.config }}
annotations:
  checksum/config: {{ toYaml .Values.config | sha256sum }}
{{- end }}
{{- end }}

{{/* The configuration file's volume, for the services (not the topics hook, which runs before the ConfigMap exists). */}}
{{- define "sightline.configVolume" -}}
{{- if .Values.config }}
- name: config
  configMap:
    name: {{ include "sightline.fullname" . }}-config
{{- end }}
{{- end }}

{{- define "sightline.configVolumeMount" -}}
{{- if .Values.config }}
- name: config
  mountPath: /etc/sightline/config
  readOnly: true
{{- end }}
{{- end }}
