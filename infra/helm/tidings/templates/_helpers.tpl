{{/* Names and labels shared by every template. */}}
{{- define "tidings.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tidings.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "tidings.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tidings.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "tidings.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "tidings.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: tidings
{{- end -}}

{{- define "tidings.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "tidings.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "tidings.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The drain must fit: preStop wait + TIDINGS_DRAIN_SECONDS + uvicorn's 5 s margin + extra. */}}
{{- define "tidings.terminationGracePeriodSeconds" -}}
{{- add (int .Values.shutdown.preStopSeconds) (int .Values.config.drainSeconds) 5 (int .Values.shutdown.extraGraceSeconds) -}}
{{- end -}}

{{/* Secret-backed TIDINGS_* variables, by reference to the existing Secret. */}}
{{- define "tidings.secretEnv" -}}
{{- $s := .Values.secrets -}}
{{- if not $s.existingSecret }}{{ fail "secrets.existingSecret must name an existing Secret (see docs/deployment.md)" }}{{ end -}}
- name: TIDINGS_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.keys.databaseUrl }}
- name: TIDINGS_API_KEY_PEPPER
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.keys.apiKeyPepper }}
- name: TIDINGS_TOKEN_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.keys.tokenSecret }}
{{- if $s.stripe }}
- name: TIDINGS_STRIPE_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: stripe-api-key
- name: TIDINGS_STRIPE_WEBHOOK_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: stripe-webhook-secret
{{- end }}
{{- if $s.metricsToken }}
- name: TIDINGS_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: metrics-token
{{- end }}
{{- end -}}
