{
  # Built by scripts/build-native.mjs, which resolves LIBTORCH (include dirs, lib dir, C++ ABI) and passes them in
  # as environment variables: node-gyp cannot probe the file system portably on its own.
  "targets": [
    {
      "target_name": "cafe_torch",
      "sources": ["addon.cc", "tensor.cc", "ops.cc", "optim.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(node -p \"process.env.CAFE_TORCH_INCLUDES || ''\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "<!@(node -p \"process.env.CAFE_TORCH_DEFINES || ''\")"
      ],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": [
        "<!@(node -p \"process.env.CAFE_TORCH_LIBS || ''\")"
      ],
      "ldflags": ["<!@(node -p \"process.env.CAFE_TORCH_LDFLAGS || ''\")"]
    }
  ]
}
