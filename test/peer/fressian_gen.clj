;; fressian_gen.clj: Fressian bytes written by the REAL org.fressian 0.6.8 FressianWriter (with the
;; write handlers of the real Datomic peer jar), for the differential test of src/core/fressian
;; (test/integration/fressian-differential.test.ts) and for bench/fressian.mjs.
;;
;; Usage (classpath = the peer's, see test/helpers/real-peer.ts):
;;   clojure.main test/peer/fressian_gen.clj cases  <seed> <random-count>
;;   clojure.main test/peer/fressian_gen.clj corpus <seed> <dir-nodes> <leaves>
;;
;; `cases` prints one line per case, tab-separated:
;;   name  mode  base64(bytes)  expected  same
;; mode: one (read one object), all (read to the end), val (a datomic_kvs val: gzip, one object).
;; expected: the canonical text (same rules as src/core/fressian/print.ts) of what the Java
;; FressianReader, with Datomic's read handlers, reads back from the bytes. same: "true" when that
;; equals the canonical text of the value that was written (the writer normalises a few values,
;; e.g. -0.0 to 0.0), "n/a" when the written value is not at hand (Datomic's segment writers).
;; When not the same, a sixth column has the canonical text of the written value.
;; The last line is "END".
;; `corpus` prints base64 lines of gzip vals shaped like Datomic index dir nodes and leaves.
(ns dtx.fressian-gen
  (:require [clojure.string :as str]
            [datomic.fressian :as df]
            [datomic.index :as index]
            [datomic.log :as log]
            [datomic.db :as db])
  (:import [org.fressian FressianWriter FressianReader TaggedObject CachedObject]
           [java.io ByteArrayOutputStream ByteArrayInputStream]
           [java.nio ByteBuffer]
           [java.util Random UUID Date Base64 List Map Set]
           [java.math BigInteger BigDecimal]
           [java.util.regex Pattern]
           [java.net URI]))

(set! *warn-on-reflection* true)

;; ---------------------------------------------------------------- canonical text

(defn esc [^String s]
  (let [sb (StringBuilder. "\"")]
    (dotimes [i (.length s)]
      (let [c (.charAt s i) n (int c)]
        (cond (or (= c \") (= c \\)) (doto sb (.append \\) (.append c))
              (<= 0x20 n 0x7e) (.append sb c)
              :else (.append sb (format "\\u%04x" n)))))
    (str (.append sb "\""))))

(defn hex-bytes [^bytes b]
  (let [sb (StringBuilder.)]
    (dotimes [i (alength b)] (.append sb (format "%02x" (bit-and (aget b i) 0xff))))
    (str sb)))

(defn simple? [s] (and (string? s) (boolean (re-matches #"[A-Za-z0-9*+!_?<>=.-]+" s))))

(defn named [prefix ns nm]
  (when (and (or (nil? ns) (simple? ns)) (simple? nm))
    (if ns (str prefix ns "/" nm) (str prefix nm))))

(defn named-pair [ns nm] (str "[" (if ns (esc ns) "nil") " " (esc nm) "]"))

(defn f64 [d] (str "#f64 " (format "%016x" (Double/doubleToLongBits (double d)))))
(defn f32 [f] (str "#f32 " (format "%08x" (Float/floatToIntBits (float f)))))

(declare canon)
(defn seq-text [tag xs] (str tag "[" (str/join " " (map canon xs)) "]"))

(def long-array-class (class (long-array 0)))
(def int-array-class (class (int-array 0)))
(def double-array-class (class (double-array 0)))
(def float-array-class (class (float-array 0)))
(def boolean-array-class (class (boolean-array 0)))
(def object-array-class (class (object-array 0)))

(defn canon [x]
  (cond
    (nil? x) "nil"
    (instance? CachedObject x) (canon (.getObjectToCache ^CachedObject x))
    (instance? Boolean x) (str x)
    (or (instance? Long x) (instance? Integer x) (instance? Short x)) (str x)
    (instance? Double x) (f64 x)
    (instance? Float x) (f32 x)
    (string? x) (esc x)
    (bytes? x) (str "#bytes \"" (hex-bytes x) "\"")
    (keyword? x) (or (named ":" (namespace x) (name x)) (str "#key " (named-pair (namespace x) (name x))))
    (symbol? x) (str "#sym " (or (named "" (namespace x) (name x)) (named-pair (namespace x) (name x))))
    (uuid? x) (str "#uuid \"" x "\"")
    (instance? Date x) (str "#inst " (.getTime ^Date x))
    (instance? BigInteger x) (str x "N")
    (instance? clojure.lang.BigInt x) (str (.toBigInteger ^clojure.lang.BigInt x) "N")
    (instance? BigDecimal x) (str "#bigdec [" (.unscaledValue ^BigDecimal x) " " (.scale ^BigDecimal x) "]")
    (instance? Pattern x) (str "#regex " (esc (.pattern ^Pattern x)))
    (instance? URI x) (str "#uri " (esc (str x)))
    (instance? TaggedObject x) (str "#struct " (canon (.getTag ^TaggedObject x)) (seq-text " " (.getValue ^TaggedObject x)))
    (instance? datomic.function.Function x)
    (str "#struct \"datomic/fn\" [" (canon (select-keys x [:lang :imports :requires :params :code])) "]")
    (instance? long-array-class x) (seq-text "#long[] " x)
    (instance? int-array-class x) (str "#int[] [" (str/join " " (map str x)) "]")
    (instance? double-array-class x) (str "#double[] [" (str/join " " (map f64 x)) "]")
    (instance? float-array-class x) (str "#float[] [" (str/join " " (map f32 x)) "]")
    (instance? boolean-array-class x) (str "#boolean[] [" (str/join " " (map str x)) "]")
    (instance? object-array-class x) (seq-text "#Object[] " x)
    (instance? Map x) (str "{" (str/join ", " (map (fn [[k v]] (str k " " v))
                                                  (sort (map (fn [[k v]] [(canon k) (canon v)]) x))))
                           "}")
    (instance? Set x) (str "#{" (str/join " " (sort (map canon x))) "}")
    (instance? List x) (seq-text "" x)
    :else (throw (ex-info (str "no canonical text for " (class x)) {}))))

;; ---------------------------------------------------------------- writing and reading back

(def write-handlers index/common-write-handlers)

(defn writer ^FressianWriter [^ByteArrayOutputStream out] (df/create-writer out write-handlers))

(defn bytes-of [^ByteBuffer bb]
  (let [b (byte-array (.remaining bb))] (.get (.duplicate bb) b) b))

(defn read-back
  "What Datomic's reader (org.fressian FressianReader + Datomic's key/sym/map/fn handlers) reads."
  [^bytes b mode n footer-at-end?]
  (case mode
    "val" [((df/val->obj df/user-read-handlers) (ByteBuffer/wrap b))]
    (let [r ^FressianReader (df/create-reader (ByteArrayInputStream. b) df/user-read-handlers true)
          objs (vec (repeatedly (if (= mode "one") 1 n) #(.readObject r)))]
      (when footer-at-end? (.validateFooter r))
      objs)))

(defn text-of [mode objs] (if (= mode "all") (seq-text "" objs) (canon (first objs))))

(defn emit [name mode ^bytes b written & {:keys [footer-at-end?]}]
  (let [back (try (read-back b mode (if (sequential? written) (count written) 1) footer-at-end?)
                  (catch Exception e
                    (binding [*out* *err*]
                      (println "READ-BACK FAILED" name (.encodeToString (Base64/getEncoder) b)
                               (when-not (= written ::unknown) (text-of mode written))))
                    (throw e)))
        expected (text-of mode back)
        written-text (when-not (= written ::unknown) (text-of mode written))
        same (if written-text (= expected written-text) "n/a")]
    (println (str name "\t" mode "\t" (.encodeToString (Base64/getEncoder) b) "\t" expected "\t" same
                  (when (false? same) (str "\t" written-text))))))

(defn emit-one
  "Writes x with writeObject (cache? = writeObject(x, true)) and emits it."
  ([name x] (emit-one name x false))
  ([name x cache?]
   (let [out (ByteArrayOutputStream.) w (writer out)]
     (.writeObject w x (boolean cache?))
     (emit name "one" (.toByteArray out) [x]))))

(defmacro with-stream
  "Runs body with w bound to a fresh writer; returns the bytes."
  [[w] & body]
  `(let [out# (ByteArrayOutputStream.) ~w (writer out#)] ~@body (.toByteArray out#)))

;; ---------------------------------------------------------------- random values

(def ^:dynamic ^Random *rnd* nil)
;; true while generating map keys and set elements: Java's reader builds them with Clojure or
;; Java equality, so values that the writer normalises to equal ones (-0.0 and 0.0, NaNs, a
;; CachedObject and its value) would collapse there; keys avoid them
(def ^:dynamic *in-key* false)
(def ^:dynamic *budget* (atom 0)) ; nodes left for the current random value (rebound per value)
(defn rint ^long [n] (.nextInt *rnd* (int n)))
(defn rlong ^long [] (.nextLong *rnd*))
(defn chance [p] (< (.nextDouble *rnd*) p))
(defn pick [xs] (nth xs (rint (count xs))))

(def int-bounds
  (let [bs [-1 64 0x1000 0x80000 0x2000000 0x200000000 0x20000000000 0x2000000000000
            9007199254740991 9007199254740992 Integer/MAX_VALUE]]
    (vec (distinct (concat [0 Long/MIN_VALUE Long/MAX_VALUE (inc Long/MIN_VALUE) (dec Long/MAX_VALUE)]
                           (for [b bs d [-2 -1 0 1] s [1 -1]] (* s (+ b d))))))))

(defn gen-int []
  (if (chance 0.3)
    (pick int-bounds)
    (let [bits (rint 64) v (if (zero? bits) 0 (bit-shift-right (rlong) (- 64 bits)))]
      v)))

(def special-doubles [0.0 1.0 -1.0 0.5 1.5 0.1 -0.0 Double/NaN Double/POSITIVE_INFINITY Double/NEGATIVE_INFINITY
              Double/MIN_VALUE Double/MAX_VALUE 1e300 -2.5e-300 123456789.125])

(defn key-safe [x] (if (and *in-key* (or (== x 0.0) (Double/isNaN (double x)))) (+ x 2.0) x))
(defn gen-double [] (key-safe (if (chance 0.4) (pick special-doubles) (Double/longBitsToDouble (rlong)))))
(defn gen-float [] (float (key-safe (if (chance 0.4) (float (pick [0.0 1.0 -0.0 0.5 -3.25 Float/NaN Float/MAX_VALUE Float/MIN_VALUE]))
                                      (Float/intBitsToFloat (.nextInt *rnd*))))))

(defn gen-char []
  (case (rint 7)
    0 (char (+ 32 (rint 95)))
    1 (char (+ 32 (rint 95)))
    2 (char (+ 0x80 (rint 0x780)))                 ; 2-byte UTF-8
    3 (char (+ 0x800 (rint (- 0xd800 0x800))))     ; 3-byte, below the surrogates
    4 (char (+ 0xe000 (rint 0x2000)))              ; 3-byte, above them
    5 (char (+ 0xd800 (rint 0x800)))               ; a lone surrogate (Java strings allow them)
    6 (char (rint 32))))                           ; control characters, \u0000 included

(defn gen-string-of [n]
  (let [sb (StringBuilder.)]
    (while (< (.length sb) n)
      (if (chance 0.1)
        (.appendCodePoint sb (+ 0x10000 (rint 0xfffff)))   ; a supplementary char: a surrogate pair
        (.append sb (gen-char))))
    (str sb)))

(defn gen-string []
  (let [n (cond (chance 0.7) (rint 12) (chance 0.999) (+ 8 (rint 200)) :else (+ 20000 (rint 60000)))]
    (if (chance 0.5) (apply str (repeatedly n #(char (+ 97 (rint 26))))) (gen-string-of n))))

(defn gen-bytes []
  (let [n (cond (chance 0.5) (rint 8) (chance 0.998) (+ 8 (rint 300)) :else (pick [65534 65535 65536 65537 140000]))]
    (let [b (byte-array n)] (.nextBytes *rnd* b) b)))

(def nss [nil nil "db" "db.type" "db.cardinality" "user" "a.b.c" "datomic" "db.install" "é"])
(def names ["ident" "valueType" "long" "many" "txInstant" "name" "x" "eavt-main" "sym?" "a*b" "ab/cd" "" "é ü" "with space"])
(defn gen-keyword [] (keyword (pick nss) (if (chance 0.8) (pick names) (gen-string-of (inc (rint 6))))))
(defn gen-symbol [] (symbol (pick nss) (if (chance 0.8) (pick names) (gen-string-of (inc (rint 6))))))
(defn gen-uuid [] (UUID. (rlong) (rlong)))
(defn gen-bigint [] (let [b (BigInteger. (int (rint 200)) *rnd*)] (if (chance 0.5) (.negate b) b)))

(def tags (vec (concat ["datum" "vec" "log-dir" "custom/x" "t"] (map #(str "tag-" %) (range 20)))))

(declare gen-value)

(def max-depth 4)
(defn gen-coll-size [depth]
  (cond (chance 0.6) (rint 8) (or (< depth max-depth) (chance 0.9)) (+ 8 (rint 20)) :else (+ 100 (rint 300))))

(defn gen-scalar []
  (case (rint 22)
    (0 1 2) (gen-int)
    3 (int (rint 1000))
    4 (gen-double)
    5 (gen-float)
    (6 7 8) (gen-string)
    9 (gen-bytes)
    (10 11) (gen-keyword)
    12 (gen-symbol)
    13 (gen-uuid)
    14 (Date. (long (- (rlong) (rem (rlong) 1000))))
    15 (if (chance 0.5) (gen-bigint) (bigint (gen-bigint)))
    16 (BigDecimal. ^BigInteger (gen-bigint) (int (- (rint 40) 20)))
    17 (Pattern/compile (pick ["a+b*" "[0-9]{3}" "^x$" "\\d+\\.\\w"]))
    18 (URI. (pick ["http://example.com/a?b=c" "urn:isbn:0451450523" "file:///tmp/x%20y"]))
    19 (boolean (chance 0.5))
    20 nil
    21 (pick ["" "a" "db/ident"])))

(defn gen-typed-array [depth]
  (let [n (gen-coll-size depth)]
    (swap! *budget* - n)
    (case (rint 6)
      0 (long-array (repeatedly n gen-int))
      1 (int-array (repeatedly n #(unchecked-int (gen-int))))
      2 (double-array (repeatedly n gen-double))
      3 (float-array (repeatedly n gen-float))
      4 (boolean-array (repeatedly n #(chance 0.5)))
      5 (object-array (repeatedly (min n 20) #(gen-value (dec depth)))))))

(defn gen-value [depth]
  (if (or (<= depth 0) (chance 0.45) (neg? (swap! *budget* dec)))
    (gen-scalar)
    (let [n (gen-coll-size depth)
          gen-key #(binding [*in-key* true] (if (chance 0.6) (gen-keyword) (gen-value (dec depth))))]
      (case (rint 9)
        (0 1) (vec (repeatedly n #(gen-value (dec depth))))
        2 (apply list (repeatedly (min n 10) #(gen-value (dec depth))))
        (3 4) (into {} (repeatedly (min n 12) #(vector (gen-key) (gen-value (dec depth)))))
        5 (set (repeatedly (min n 12) gen-key))
        6 (gen-typed-array depth)
        ;; a tag always has the same field count: the struct cache remembers the first one
        7 (let [t (pick tags)] (TaggedObject. t (object-array (repeatedly (mod (count t) 5) #(gen-value (dec depth))))))
        8 (let [v (gen-value (dec depth))] (if (or *in-key* (instance? CachedObject v)) v (CachedObject. v)))))))

;; ---------------------------------------------------------------- Datomic-shaped values

(defn gen-datum-value []
  (case (rint 8)
    0 (gen-int) 1 (gen-string) 2 (gen-keyword) 3 (gen-uuid) 4 (boolean (chance 0.5))
    5 (gen-double) 6 (Date. (long (rint 2000000000))) 7 (bigint (gen-bigint))))

(defn gen-datoms [n]
  (vec (for [i (range n)]
         (db/->Datum (+ 17592186045418 (rint 100000)) (+ 10 (rint 90)) (gen-datum-value)
                     (bit-or (bit-shift-left (+ 1000 (rint 100000)) 1) (rint 2))))))

(defn tdata [n] (index/transpose (gen-datoms n)))

(defn root-node-val [ndirs]
  (index/fress (index/root-node (tdata ndirs) (to-array (repeatedly ndirs gen-uuid))) write-handlers))

(defn dir-node-val [nsegs]
  (index/fress (index/dir-node (tdata nsegs) (to-array (repeatedly nsegs gen-uuid))
                               (int-array (range nsegs)) (int-array (repeatedly nsegs #(rint 3000))))
               write-handlers))

(defn leaf-val [ndatoms] (index/fress (tdata ndatoms) write-handlers))

(defn gen-tx [] {:id (gen-uuid) :t (+ 1000 (rint 100000)) :data (gen-datoms (inc (rint 6)))})

;; ---------------------------------------------------------------- cases

(defn fixed-cases []
  ;; every int boundary, alone
  (doseq [v int-bounds] (emit-one (str "int " v) v))
  (doseq [d special-doubles] (emit-one (str "double " d) d))
  (emit-one "float 1.5" (float 1.5))
  (emit-one "float -0.0" (float -0.0))
  (emit-one "int as Integer" (int -7))
  ;; strings: every packed length, STRING, chunked (ASCII, 2-, 3-byte, surrogates)
  (doseq [n [0 1 7 8 9 100]] (emit-one (str "string ascii " n) (apply str (repeat n "x"))))
  (emit-one "string chunked ascii 65536" (apply str (repeat 65536 "a")))
  (emit-one "string chunked ascii 65537" (apply str (repeat 65537 "a")))
  (emit-one "string chunked ascii 200000" (apply str (repeat 200000 "b")))
  (emit-one "string chunked 3-byte 30000" (apply str (repeat 30000 "\u20ac")))
  (emit-one "string chunked mixed" (str (apply str (repeat 21845 "\u20ac")) "a\u00e9" (apply str (repeat 40000 "\ud83d\ude00"))))
  (emit-one "string surrogate pair" "a\ud834\udd1eb")
  (emit-one "string lone surrogates" "\ud800x\udfff")
  (emit-one "string nul and controls" "\u0000\u0001\n\t\u007f")
  (emit-one "string 2-byte" "\u00e9\u07ff\u0080")
  ;; bytes: packed, BYTES, chunked
  (doseq [n [0 1 7 8 65535 65536 65537 200000]]
    (emit-one (str "bytes " n) (let [b (byte-array n)] (.nextBytes *rnd* b) b)))
  ;; lists of every packed size and beyond
  (doseq [n [0 1 7 8 9 300]] (emit-one (str "list " n) (vec (range n))))
  (emit-one "nested lists" [[[]] [[1] [2 [3 [4 [5]]]]]])
  (emit-one "map keyword keys" {:eavt-main (gen-uuid) :aevt-main (gen-uuid) :db/ident :db/x :rev 7 :version 2 :nextT 1000 :fulltext nil})
  (emit-one "map non-string keys" {1 :a [1 2] "v" #{:s} 2.5 (gen-uuid) nil})
  (emit-one "map 20 entries" (into {} (map (fn [i] [(keyword (str "k" i)) i]) (range 20))))
  (emit-one "empty map" {})
  (emit-one "set" #{1 "a" :b nil})
  (emit-one "empty set" #{})
  (emit-one "uuid" (UUID/fromString "5f1e2d3c-4b5a-4697-8887-96a5b4c3d2e1"))
  (emit-one "uuid max" (UUID. -1 -1))
  (emit-one "inst" (Date. 1700000000000))
  (emit-one "inst negative" (Date. -1))
  (emit-one "bigint java" (BigInteger. "-123456789012345678901234567890"))
  (emit-one "bigint clojure" 12345678901234567890N)
  (emit-one "bigint zero" (BigInteger/ZERO))
  (emit-one "bigint -128" (BigInteger/valueOf -128))
  (emit-one "bigdec" 123.4500M)
  (emit-one "bigdec negative scale" (BigDecimal. (BigInteger. "-5") -3))
  (emit-one "regex" #"a+\d")
  (emit-one "uri" (URI. "https://docs.datomic.com/x?y=1#z"))
  (emit-one "keyword no ns" :eavt)
  (emit-one "keyword ns" :db.type/string)
  (emit-one "keyword odd chars" (keyword "é" "a b/c"))
  (emit-one "keyword nil-ns slash name" (keyword nil "a/b"))
  (emit-one "symbol" 'clojure.core/inc)
  (emit-one "symbol no ns" 'x)
  (emit-one "long[]" (long-array [0 -1 63 64 Long/MIN_VALUE Long/MAX_VALUE 17592186045418]))
  (emit-one "int[]" (int-array [0 -1 Integer/MIN_VALUE Integer/MAX_VALUE 54000]))
  (emit-one "double[]" (double-array [0.0 1.0 -0.0 1.5 Double/NaN]))
  (emit-one "float[]" (float-array [0.0 1.0 1.5 Float/NaN]))
  (emit-one "boolean[]" (boolean-array [true false true]))
  (emit-one "Object[]" (object-array [1 "a" :k nil (gen-uuid)]))
  (emit-one "empty arrays" [(long-array 0) (int-array 0) (double-array 0) (float-array 0) (boolean-array 0) (object-array 0)])
  (emit-one "tagged" (TaggedObject. "custom-tag" (object-array [1 2 3])))
  (emit-one "tagged zero fields" (TaggedObject. "nothing" (object-array 0)))
  (emit-one "tagged non-string tag" (TaggedObject. :kw-tag (object-array [1])))
  ;; struct cache: 20 tags used 3 times each (0xA0+i for the first 16, STRUCT + index after)
  (emit-one "struct cache 20 tags x3"
            (vec (for [_ (range 3) i (range 20)] (TaggedObject. (str "tag-" i) (object-array [i (str "f" i)])))))
  ;; priority cache: 50 distinct values cached (0x80+i below 32, GET_PRIORITY_CACHE after)
  (let [pool (vec (concat (map #(str "s" %) (range 40)) (map #(keyword "k" (str %)) (range 10))))]
    (emit-one "priority cache 50 values" (vec (repeatedly 400 #(CachedObject. (pick pool))))))
  (emit-one "cached top-level string" "cached at the top" true)
  (emit-one "cached small int is not cached" 5 true)
  (emit-one "cached big int" 123456789 true)
  (emit-one "cached empty string" "" true)
  (emit-one "cached nested list" [(CachedObject. [1 2 3]) (CachedObject. [1 2 3]) (CachedObject. {:a 1}) (CachedObject. {:a 1})])
  ;; Datomic keywords: ns and name cached separately
  (emit-one "datomic keywords" (vec (repeatedly 100 #(pick [:db/ident :db/valueType :db.type/long :db.cardinality/many :db/txInstant :db/id :user/name]))))
  ;; datomic/fn, written by Datomic's handler, read back as a datomic.function.Function
  (emit-one "datomic fn" (datomic.function/construct {:lang "clojure" :params '[db x] :code "(inc x)"}))
  ;; streams: footers, resets, closed and open lists
  (let [b (with-stream [w] (.writeObject w "a" true) (.writeObject w "a" true) (.writeFooter w)
                            (.writeObject w "a" true) (.writeObject w [1 :x/y]) (.writeFooter w))]
    (emit "stream with footers" "all" b ["a" "a" "a" [1 :x/y]] :footer-at-end? true))
  (let [b (with-stream [w] (.writeObject w {:k 1}) (.writeFooter w))]
    (emit "object then footer (read one)" "one" b [{:k 1}])
    (emit "object then footer (read all)" "all" b [{:k 1}] :footer-at-end? true))
  (let [b (with-stream [w] (.writeObject w "x" true) (.resetCaches w) (.writeObject w "y" true) (.writeObject w "x" true))]
    (emit "reset between objects" "all" b ["x" "y" "x"]))
  (let [b (with-stream [w] (.beginClosedList w) (.writeObject w "a" true) (.writeObject w "a" true)
                            (.resetCaches w) (.writeObject w "a" true) (.writeTag w "t1" 1) (.writeObject w 1)
                            (.resetCaches w) (.writeTag w "t1" 1) (.writeObject w 2) (.endList w))]
    (emit "closed list with resets" "one" b [["a" "a" "a" (TaggedObject. "t1" (object-array [1])) (TaggedObject. "t1" (object-array [2]))]]))
  (let [b (with-stream [w] (.beginClosedList w) (.writeObject w :a/b) (.writeFooter w) (.writeObject w :a/b) (.endList w))]
    (emit "footer inside a closed list" "one" b [[:a/b :a/b]]))
  (let [b (with-stream [w] (.beginClosedList w) (.endList w))]
    (emit "empty closed list" "one" b [[]]))
  (let [b (with-stream [w] (.beginOpenList w) (.writeObject w 1) (.writeObject w "two") (.endList w))]
    (emit "open list ended" "one" b [[1 "two"]]))
  (let [b (with-stream [w] (.beginOpenList w) (dotimes [i 5] (.resetCaches w) (.writeObject w {:t i :k :db/ident})))]
    (emit "open list to the end" "one" b [(vec (for [i (range 5)] {:t i :k :db/ident}))]))
  (let [b (with-stream [w] (.beginOpenList w))]
    (emit "empty open list" "one" b [[]]))
  ;; Datomic's own segment writers (datomic.index/fress = gzip(fressian + footer))
  (emit "datomic index-root-node" "val" (bytes-of (root-node-val 5)) ::unknown)
  (emit "datomic index-dir-node" "val" (bytes-of (dir-node-val 40)) ::unknown)
  (emit "datomic index-tdata leaf" "val" (bytes-of (leaf-val 300)) ::unknown)
  ;; datomic.log/fressianed-dir and -leaf return fressian + footer, not gzipped
  (emit "datomic log dir" "one" (bytes-of (log/fressianed-dir (vec (for [i (range 30)] (log/->LogDir (* 7 i) (gen-uuid)))))) ::unknown)
  (emit "datomic log leaf" "one" (bytes-of (log/fressianed-leaf (vec (repeatedly 10 gen-tx)))) ::unknown)
  ;; a log tail as the pod stores it: 0xEE, then raw tx buffers (each starting with RESET_CACHES)
  (let [out (ByteArrayOutputStream.)]
    (.write out 0xEE)
    (dotimes [_ 4] (.write out ^bytes (bytes-of (log/fressianed-tx (gen-tx)))))
    (emit "datomic log tail" "one" (.toByteArray out) ::unknown))
  (emit "datomic empty log tail" "one" (byte-array [(unchecked-byte 0xEE)]) [[]])
  ;; a leaf made from tail txes (datomic.log/create-leaves*): gzip(BEGIN_CLOSED_LIST ++ tx bufs ++ END_COLLECTION)
  (let [raw (ByteArrayOutputStream.)]
    (with-open [gz (java.util.zip.GZIPOutputStream. raw)]
      (.write gz 0xED)
      (dotimes [_ 3] (.write gz ^bytes (bytes-of (log/fressianed-tx (gen-tx)))))
      (.write gz 0xFD))
    (emit "datomic tail-made log leaf" "val" (.toByteArray raw) ::unknown)))

(defn random-cases [n]
  (dotimes [i n]
    (emit-one (str "random " i) (binding [*budget* (atom 300)] (gen-value max-depth)) (chance 0.1))))

(defn corpus [ndirs nleaves]
  (dotimes [_ ndirs] (println (.encodeToString (Base64/getEncoder) ^bytes (bytes-of (dir-node-val 1000)))))
  (dotimes [_ nleaves] (println (.encodeToString (Base64/getEncoder) ^bytes (bytes-of (leaf-val 2000))))))

(let [[cmd seed & more] *command-line-args*]
  (binding [*rnd* (Random. (Long/parseLong (or seed "1")))]
    (case cmd
      "cases" (let [n (Long/parseLong (or (first more) "500"))]
                (fixed-cases)
                (random-cases n)
                (println "END"))
      "corpus" (corpus (Long/parseLong (first more)) (Long/parseLong (second more)))))
  (flush)
  (shutdown-agents)
  (System/exit 0))
