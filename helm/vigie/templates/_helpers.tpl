{{/*
Chart name, truncated to the 63 characters Kubernetes allows in names.
*/}}
{{- define "vigie.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified release name; the release name alone when it already
contains the chart name.
*/}}
{{- define "vigie.fullname" -}}
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

{{- define "vigie.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "vigie.labels" -}}
helm.sh/chart: {{ include "vigie.chart" . }}
{{ include "vigie.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels (add app.kubernetes.io/component per workload).
*/}}
{{- define "vigie.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigie.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vigie.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vigie.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "vigie.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "vigie.configMapName" -}}
{{- printf "%s-config" (include "vigie.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The Secret holding VIGIE_JWT_SECRET; installing without one fails early.
*/}}
{{- define "vigie.secretName" -}}
{{- required "secrets.existingSecret must name a Secret holding VIGIE_JWT_SECRET" .Values.secrets.existingSecret }}
{{- end }}

{{- define "vigie.dataClaimName" -}}
{{- default (printf "%s-data" (include "vigie.fullname" .)) .Values.persistence.existingClaim }}
{{- end }}

{{/*
Environment shared by the server and the worker: the ConfigMap, optionally
the whole Secret (last, so it wins), and the JWT key from the Secret.
*/}}
{{- define "vigie.envFrom" -}}
- configMapRef:
    name: {{ include "vigie.configMapName" . }}
{{- if .Values.secrets.envFrom }}
- secretRef:
    name: {{ include "vigie.secretName" . }}
{{- end }}
{{- end }}

{{- define "vigie.env" -}}
- name: VIGIE_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "vigie.secretName" . }}
      key: {{ .Values.secrets.jwtSecretKey }}
- name: VIGIE_SECRETS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "vigie.secretName" . }}
      key: {{ .Values.secrets.sealKey }}
      optional: true
{{- end }}

{{/*
Volumes shared by the server and the worker: the data directory, /tmp and
Kore's body spool /opt/vigie/var/tmp (the root filesystem is read-only).
*/}}
{{- define "vigie.volumes" -}}
- name: data
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "vigie.dataClaimName" . }}
{{- else }}
  emptyDir: {}
{{- end }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: body-spool
  emptyDir:
    sizeLimit: {{ .Values.bodySpoolSizeLimit }}
{{- end }}

{{- define "vigie.volumeMounts" -}}
- name: data
  mountPath: {{ .Values.config.dataDir }}
- name: tmp
  mountPath: /tmp
- name: body-spool
  mountPath: /opt/vigie/var/tmp
{{- end }}
