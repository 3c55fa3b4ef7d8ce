;; A file-system implementation of the datomic.backup/Storage protocol, for the real Datomic peer
;; library from Maven Central, which lacks the `datomic.fsbackup` namespace that Datomic's backup
;; code loads for `file:` URIs (docs/datomic-storage.md, "Backup and restore").
;;
;; It is dtx's own code, written from the protocol as observed with com.datomic/peer 1.0.7556:
;;   (store [k buf])       buf is a java.nio.ByteBuffer; returns {:k k}
;;   (retrieve [k])        {:v ByteBuffer} or nil
;;   (exists? [k])         boolean
;;   (list-keys [prefix])  {:ks [full keys under prefix]}  (callers strip "<prefix>/" themselves)
;; A key like "values/0a/<uuid>" is stored as the file <root>/values/0a/<uuid>. Writes go to a
;; temporary file first and are moved into place, so an interrupted backup never leaves a torn value.
(ns datomic.fsbackup
  (:require [datomic.backup :as backup]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import [java.nio ByteBuffer]
           [java.nio.file Files StandardCopyOption CopyOption OpenOption]
           [java.io File]))

(def ^:dynamic *on-store*
  "Called with each key written (tests use it to learn exactly which keys a backup copied)."
  nil)

(defn- key-file ^File [^File root ^String k]
  (when (or (str/includes? k "..") (str/starts-with? k "/"))
    (throw (ex-info (str "refusing backup key " (pr-str k)) {:key k})))
  (io/file root k))

(defn- buf->bytes ^bytes [^ByteBuffer buf]
  (let [bb (.duplicate buf) arr (byte-array (.remaining bb))]
    (.get bb arr)
    arr))

(defn- list-files [^File dir]
  (->> (file-seq dir) (filter #(.isFile ^File %)) (remove #(str/ends-with? (.getName ^File %) ".tmp"))))

(defn storage-from-root [^File root]
  (reify backup/Storage
    (store [_ k buf]
      (let [f (key-file root k)
            tmp (io/file (str (.getPath f) ".tmp"))]
        (io/make-parents f)
        (Files/write (.toPath tmp) (buf->bytes buf) ^"[Ljava.nio.file.OpenOption;" (make-array OpenOption 0))
        (Files/move (.toPath tmp) (.toPath f) (into-array CopyOption [StandardCopyOption/REPLACE_EXISTING StandardCopyOption/ATOMIC_MOVE]))
        (when *on-store* (*on-store* k))
        {:k k}))
    (retrieve [_ k]
      (let [f (key-file root k)]
        (when (.isFile f) {:v (ByteBuffer/wrap (Files/readAllBytes (.toPath f)))})))
    (exists? [_ k]
      (.isFile (key-file root k)))
    (list-keys [_ prefix]
      (let [base (key-file root prefix)
            rootp (.toPath root)]
        {:ks (if (.isDirectory base)
               (->> (list-files base)
                    (map #(str/replace (str (.relativize rootp (.toPath ^File %))) File/separator "/"))
                    sort
                    vec)
               [])}))))

(defn storage-from-uri
  "file:/abs/dir or file:///abs/dir"
  [uri]
  (storage-from-root (io/file (java.net.URI. (str uri)))))
