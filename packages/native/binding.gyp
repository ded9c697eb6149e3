{
  "targets": [
    {
      "target_name": "bpfscope_native",
      "sources": [
        "src/native/addon.cc",
        "src/native/errors.cc",
        "src/native/log_capture.cc",
        "src/native/object_state.cc",
        "src/native/object.cc",
        "src/native/link.cc",
        "src/native/map.cc",
        "src/native/map_batch.cc",
        "src/native/probes.cc",
        "src/native/probes_helpers.cc",
        "src/native/poller.cc",
        "src/native/ring_buffer.cc",
        "src/native/ring_buffer_drain.cc",
        "src/native/btf_names.cc",
        "src/native/map_batch_write.cc",
        "src/native/program_info.cc",
        "src/native/fd_handle.cc",
        "src/native/iterator.cc",
        "src/native/object_data.cc",
        "src/native/log_sink.cc",
        "src/native/map_batch_stream.cc",
        "src/native/allocator.cc",
        "src/native/batch_into.cc",
        "src/native/nvml_library.cc",
        "src/native/nvml.cc",
        "src/native/capabilities.cc",
        "src/native/capabilities_ptrace.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": [
        "-fexceptions",
        "-Wall",
        "-Wextra",
        "-Wno-missing-field-initializers",
        "-ffile-prefix-map=<(module_root_dir)=."
      ],
      "libraries": ["-lbpf", "-ldl"]
    }
  ]
}
