#!/usr/bin/env bash
# Installs the built tree into a temporary prefix, then builds and runs outside consumers
# against it: C++ with find_package, C with pkg-config, and the Python package installed by pip.
set -euo pipefail
build=$1 here=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

echo "== find_package(crm CONFIG)"
cmake -S "$here/cmake_project" -B "$tmp/cmake-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake-build" >/dev/null
"$tmp/cmake-build/consumer"

echo "== each installed C++ header compiles on its own (it includes what it uses)"
for h in "$tmp/prefix/include/crm/"*.hpp; do
  echo "#include <crm/$(basename "$h")>" |
    c++ -std=c++20 -Wall -Wextra -Werror -fsyntax-only -I "$tmp/prefix/include" -x c++ - ||
    { echo "crm/$(basename "$h") does not compile on its own" >&2; exit 1; }
done

echo "== the README's C++ snippet, -Wall -Wextra -Werror, only find_package(crm) (no C++ standard set)"
mkdir -p "$tmp/snippet"
awk '/^```cpp/{f=1;next} /^```/{if(f) exit} f' "$here/../../README.md" > "$tmp/snippet/snippet.txt"
[ -s "$tmp/snippet/snippet.txt" ] || { echo "no C++ snippet in README.md" >&2; exit 1; }
{
  grep '^#include' "$tmp/snippet/snippet.txt"
  echo '#include <string>'
  echo 'int main() {'
  echo '    const std::string my_32_byte_or_longer_secret(32, 0x6b);'
  grep -v '^#include' "$tmp/snippet/snippet.txt"
  echo '    return 0;'
  echo '}'
} > "$tmp/snippet/main.cpp"
cat > "$tmp/snippet/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(readme_snippet LANGUAGES CXX)
find_package(crm CONFIG REQUIRED)
add_executable(snippet main.cpp)
target_compile_options(snippet PRIVATE -Wall -Wextra -Werror)
target_link_libraries(snippet PRIVATE crm::crm)
CMAKE
cmake -S "$tmp/snippet" -B "$tmp/snippet-build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/snippet-build" >/dev/null
(cd "$tmp" && "$tmp/snippet-build/snippet")

echo "== installed executables run from the prefix (no LD_LIBRARY_PATH)"
env -u LD_LIBRARY_PATH "$tmp/prefix/bin/crmctl" --version
env -u LD_LIBRARY_PATH "$tmp/prefix/bin/crmctl" --database "sqlite:$tmp/installed.db" migrate
env -u LD_LIBRARY_PATH "$tmp/prefix/bin/crm-server" --version

echo "== pkg-config crm"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cc -std=c99 -Wall -Wextra -pedantic -Werror "$here/consumer.c" $(pkg-config --cflags --libs crm) -o "$tmp/c-consumer"
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/c-consumer"
echo "== pkg-config crm from C++: the cxxflags variable gives the C++20 the headers need"
[ "$(pkg-config --variable=cxxflags crm)" = "-std=c++20" ]
c++ $(pkg-config --variable=cxxflags crm) -Wall -Wextra -Werror $(pkg-config --cflags crm) \
  "$here/cmake_project/main.cpp" $(pkg-config --libs crm) -o "$tmp/cxx-consumer"
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/cxx-consumer"

echo "== pip install ./bindings/python, finding the installed library"
cp -r "$here/../../bindings/python" "$tmp/pysrc"   # the build leaves nothing beside the sources, but be sure
/usr/bin/python3 -m pip install --quiet --isolated --root-user-action=ignore --no-index --no-build-isolation --target "$tmp/py" "$tmp/pysrc"
env -u CRM_LIBRARY PYTHONPATH="$tmp/py" LD_LIBRARY_PATH="$tmp/prefix/lib" /usr/bin/python3 -c '
import crm
db = crm.Database.open("sqlite::memory:")
db.migrate()
lead = db.create_lead(crm.Principal.system(), "from Python")
assert db.get_lead(crm.Principal.system(), lead.id).title == "from Python"
print("libcrm", crm.__version__, "from Python")'
