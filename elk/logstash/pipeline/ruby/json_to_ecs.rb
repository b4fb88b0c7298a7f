# encoding: utf-8
#
# Logstash ruby filter script used by json.conf: maps one parsed JSON log
# object, found in [@metadata][doc], onto the ECS fields of the logs-*
# index template. Anything it does not recognise becomes labels.<key>
# (keyword), so a file cannot create arbitrary mappings. The "vigie" key and
# event.original are never taken from the document: the tenant comes from
# the upload folder and event.original is the raw line read by the input.
require "json"
require "time"

ECS_ROOTS = %w[message log service host client user url http event trace span
               labels tags source user_agent error].freeze
INTEGER_FIELDS = ["http.response.status_code", "http.response.body.bytes",
                  "event.duration"].freeze
TIMESTAMP_KEYS = ["@timestamp", "timestamp", "time", "ts"].freeze
LEVEL_KEYS = ["level", "severity", "log.level"].freeze
ALIASES = {
  "msg" => "message",
  "trace_id" => "trace.id", "traceId" => "trace.id",
  "span_id" => "span.id", "spanId" => "span.id",
}.freeze
SEGMENT = /\A[A-Za-z0-9_@-]{1,64}\z/
MAX_LABELS = 32
MAX_DEPTH = 6

def register(params)
end

def filter(event)
  doc = event.get("[@metadata][doc]")
  if doc.is_a?(Hash)
    state = { labels: 0, dropped: false }
    doc.each { |key, value| map_key(event, key.to_s, value, state) }
    event.tag("_vigie_labels_truncated") if state[:dropped]
    status = event.get("[http][response][status_code]")
    event.tag("error") if status.is_a?(Integer) && status >= 500
  else
    # A JSON scalar or array per line: keep it as the message.
    event.set("message", to_text(doc))
  end
  event.remove("[@metadata][doc]")
  [event]
end

def map_key(event, key, value, state)
  return if key == "vigie" || key.start_with?("vigie.")
  if TIMESTAMP_KEYS.include?(key)
    if event.get("[@metadata][timestamp]").nil?
      event.set("[@metadata][timestamp]", timestamp_text(value))
    else
      add_label(event, key, value, state)
    end
  elsif LEVEL_KEYS.include?(key) && !value.is_a?(Hash)
    event.set("[log][level]", value.to_s.strip.downcase)
  elsif (key == "service" || key == "host") && !value.is_a?(Hash)
    event.set("[#{key}][name]", value.to_s)
  elsif key == "message"
    event.set("message", to_text(value))
  elsif ALIASES.key?(key)
    target = ALIASES[key]
    if target == "message" && doc_has_message?(event)
      add_label(event, key, value, state)
    else
      set_path(event, target.split("."), value, state, key)
    end
  else
    segments = key.split(".")
    if ECS_ROOTS.include?(segments.first) && segments.all? { |s| SEGMENT.match?(s) }
      merge_path(event, segments, value, state, 0)
    else
      add_label(event, key, value, state)
    end
  end
end

def doc_has_message?(event)
  doc = event.get("[@metadata][doc]")
  doc.is_a?(Hash) && doc.key?("message")
end

# Walks nested objects under a known ECS root, setting each leaf.
def merge_path(event, segments, value, state, depth)
  if value.is_a?(Hash) && depth < MAX_DEPTH
    value.each do |k, v|
      sub = k.to_s.split(".")
      if sub.all? { |s| SEGMENT.match?(s) }
        merge_path(event, segments + sub, v, state, depth + 1)
      else
        add_label(event, (segments + [k.to_s]).join("_"), v, state)
      end
    end
  else
    set_path(event, segments, value, state, segments.join("_"))
  end
end

def set_path(event, segments, value, state, label_key)
  dotted = segments.join(".")
  return if dotted == "event.original"
  return add_label(event, label_key, value, state) if value.is_a?(Hash)

  case dotted
  when "tags"
    Array(value).each { |t| event.tag(t.to_s) }
    return
  when "message"
    event.set("message", to_text(value))
    return
  when "log.level"
    value = value.to_s.strip.downcase
  end
  if INTEGER_FIELDS.include?(dotted)
    int = to_integer(value)
    return add_label(event, label_key, value, state) if int.nil?
    value = int
  end
  if segments.first == "labels"
    return add_label(event, segments.drop(1).join("_"), value, state)
  end
  event.set(segments.map { |s| "[#{s}]" }.join, value)
end

def add_label(event, key, value, state)
  name = key.gsub(/[^A-Za-z0-9_]/, "_")[0, 64]
  name = "_" if name.empty?
  ref = "[labels][#{name}]"
  if event.get(ref).nil?
    if state[:labels] >= MAX_LABELS
      state[:dropped] = true
      return
    end
    state[:labels] += 1
  end
  event.set(ref, to_text(value))
end

def to_text(value)
  case value
  when String then value
  when Hash, Array then JSON.generate(value)
  when nil then ""
  else value.to_s
  end
end

def to_integer(value)
  return value if value.is_a?(Integer)
  return value.to_i if value.is_a?(Float) && value.finite? && value == value.floor
  return Integer(value.strip, 10) if value.is_a?(String) && value.strip.match?(/\A-?\d{1,18}\z/)
  nil
end

# Numbers are epoch seconds or milliseconds (by magnitude); strings are left
# to the date filter.
def timestamp_text(value)
  if value.is_a?(Numeric)
    exact = value.is_a?(Integer) ? Rational(value) : value
    seconds = value.abs >= 100_000_000_000 ? exact / 1000 : exact
    Time.at(seconds).utc.iso8601(3)
  else
    value.to_s
  end
end
