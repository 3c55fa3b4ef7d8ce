/*
 * A stand-in for java.exe in the Wine smoke test (Wine has no Java). dtx only asks it
 * `java -version`; the fake Datomic distribution's bin\transactor.cmd runs node, not java.
 * Built with: x86_64-w64-mingw32-gcc -Os -s -o java.exe java-stub.c
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc > 1 && (strcmp(argv[1], "-version") == 0 || strcmp(argv[1], "--version") == 0)) {
    fputs("openjdk version \"17.0.0\" 2021-09-14\n", stderr);
    fputs("OpenJDK Runtime Environment (dtx Wine smoke-test stub, not a JVM)\n", stderr);
    fputs("OpenJDK 64-Bit Server VM (dtx Wine smoke-test stub, not a JVM)\n", stderr);
    return 0;
  }
  fputs("java.exe here is the dtx Wine smoke-test stub: it only answers -version\n", stderr);
  return 1;
}
